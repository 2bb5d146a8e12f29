--[[ The PDF's floats (figures and tables), placed as a printed book places them.

PDF only (_quarto.yml lists it under format: pdf); the site keeps the source's order.

1. Each float is anchored right after the paragraph (or other block) that first refers to
   it in its own chapter, if it comes later in the source: LaTeX can then place it on
   that page, or at the top of the next. Floats keep their order, so their numbers do not
   change, and a float that is only referred to from other chapters stays where it is (an
   appendix table cited in chapter 1 stays in the appendix).

2. The floats that end a chapter (nothing but floats after the chapter's last paragraph)
   are kept with that paragraph (and a section heading right before it): \kwfkeep (in
   _quarto.yml's LaTeX) sets them in the text, right after it, and moves them all to the
   next page when they do not fit, instead of
   leaving the floats alone on a page after the chapter's text has run out. It does so only
   for floats under 60% of a page (bigger ones fill a page of their own), measured in the
   previous LaTeX run; the paragraph is measured here, from a copy set in a box that is
   never printed (kwfmeasure).

The render check (tools/check_render/pages.py) measures what comes of it: page fill, float
placement.
]]

local ids = {}  -- each float's identifier, in document order

local function float_ids(block, queue)
  -- The identifiers of the floats inside a top-level block (Quarto's FloatRefTarget nodes,
  -- Divs at this stage), taken from `queue` in document order.
  local found = {}
  pandoc.walk_block(pandoc.Div({block}), {
    Div = function(div)
      if div.attributes["__quarto_custom_type"] == "FloatRefTarget" then
        table.insert(found, table.remove(queue, 1))
      end
    end,
  })
  return found
end

local function cites(block)
  local found = {}
  pandoc.walk_block(pandoc.Div({block}), {
    Cite = function(cite)
      for _, c in ipairs(cite.citations) do found[c.id] = true end
    end,
  })
  return found
end

local function visible(block)
  -- Does the block print anything in the PDF? (Not a raw block for another format, not empty.)
  if block.t == "RawBlock" then return false end
  if block.t == "Header" or block.t == "CodeBlock" or block.t == "HorizontalRule" then return true end
  return pandoc.utils.stringify(block):match("%S") ~= nil
end

local function place(blocks)
  -- One chapter's blocks, floats moved and kept as described above.
  local items, queue = {}, {}
  for _, b in ipairs(blocks) do
    table.insert(items, {block = b, floats = {}})
  end
  for _, item in ipairs(items) do
    if item.block.t == "Div" then item.floats = float_ids(item.block, ids) end
  end
  -- 1. anchor each float after the block that first refers to it
  local last_float = 0
  local i = 1
  while i <= #items do
    local item = items[i]
    if #item.floats > 0 then
      local target = nil
      for j = last_float + 1, i - 1 do
        local refs = cites(items[j].block)
        for _, id in ipairs(item.floats) do
          if refs[id] then target = j break end
        end
        if target then break end
      end
      if target and target < i - 1 then
        table.remove(items, i)
        table.insert(items, target + 1, item)
        last_float = target + 1
      else
        last_float = i
      end
    end
    i = i + 1
  end
  -- 2. keep the floats that end the chapter with the paragraph before them
  local last = #items
  while last > 0 and (#items[last].floats > 0 or not visible(items[last].block)) do last = last - 1 end
  local trailing = 0
  for k = last + 1, #items do trailing = trailing + #items[k].floats end
  local keep = trailing > 0 and last > 0 and (items[last].block.t == "Para" or items[last].block.t == "Plain")
  -- A section heading right before that paragraph goes with it (never left at a page's foot).
  local start = last
  if keep and last > 1 and items[last - 1].block.t == "Header" and items[last - 1].block.level > 1 then
    start = last - 1
  end
  local out = {}
  for k, item in ipairs(items) do
    if keep and k == start then
      table.insert(out, pandoc.RawBlock("latex", "\\begin{kwfmeasure}"))
      table.insert(out, items[last].block:clone())
      table.insert(out, pandoc.RawBlock("latex", "\\end{kwfmeasure}"))
      local heading = start < last and "[3\\baselineskip]" or ""
      table.insert(out, pandoc.RawBlock("latex", "\\kwfkeep" .. heading .. "{" .. trailing .. "}"))
    end
    table.insert(out, item.block)
    if keep and k == #items then
      table.insert(out, pandoc.RawBlock("latex", "\\kwfend"))
    end
  end
  return out
end

local function is_chapter(block)
  return block.t == "Header" and block.level == 1
end

return {
  {
    FloatRefTarget = function(float)
      table.insert(ids, float.identifier)
      return nil
    end,
  },
  {
    Pandoc = function(doc)
      if not quarto.doc.is_format("latex") then return nil end
      local out, chapter = {}, {}
      local function flush()
        for _, b in ipairs(place(chapter)) do table.insert(out, b) end
        chapter = {}
      end
      for _, b in ipairs(doc.blocks) do
        if is_chapter(b) then flush() end
        table.insert(chapter, b)
      end
      flush()
      doc.blocks = out
      return doc
    end,
  },
}
