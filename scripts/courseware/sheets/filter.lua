-- Pandoc filter for the sheets (scripts/make_sheets.py), for typst and HTML output.
-- pandoc's ipynb reader gives each cell as a Div of class "cell"; a code cell holds its
-- source (a CodeBlock) and its outputs (Divs of class "output"). This filter puts the
-- execution prompt ("[3]:", "[ ]:" when never run) beside the source, sets the outputs
-- apart from the source, and turns the answer-space marker into blank room.

local ANSWER_SPACE = '<div class="answer-space"></div>'

local function typst(text)
  return pandoc.RawBlock("typst", text)
end

-- A typst string literal (quotes and backslashes escaped).
local function typst_string(text)
  return '"' .. text:gsub("\\", "\\\\"):gsub('"', '\\"') .. '"'
end

local function code_cell_typst(div, prompt)
  local has_output = false
  for _, block in ipairs(div.content) do
    has_output = has_output or (block.t == "Div" and block.classes:includes("output"))
  end
  local blocks = pandoc.Blocks({})
  for _, block in ipairs(div.content) do
    if block.t == "CodeBlock" then
      blocks:insert(typst("#code-input(prompt: " .. typst_string(prompt) ..
                          ", has-output: " .. tostring(has_output) .. ")["))
      blocks:insert(block)
      blocks:insert(typst("]"))
    elseif block.t == "Div" and block.classes:includes("output") then
      local kind = block.classes:includes("stderr") and "stderr" or "output"
      blocks:insert(typst("#code-output(kind: " .. typst_string(kind) .. ")["))
      blocks:extend(block.content)
      blocks:insert(typst("]"))
    else
      blocks:insert(block)
    end
  end
  return blocks
end

local function code_cell_html(div, prompt)
  local blocks = pandoc.Blocks({})
  for _, block in ipairs(div.content) do
    if block.t == "CodeBlock" then
      local label = pandoc.RawBlock("html", '<div class="prompt">' .. prompt .. "</div>")
      blocks:insert(pandoc.Div({label, block}, {class = "input"}))
    else
      blocks:insert(block)
    end
  end
  return pandoc.Div(blocks, div.attr)
end

function Div(div)
  if not div.classes:includes("cell") then
    return nil
  end
  if div.classes:includes("code") then
    local count = div.attributes["execution_count"]
    local prompt = "[" .. ((count and count ~= "") and count or " ") .. "]:"
    if FORMAT:match("typst") then
      return code_cell_typst(div, prompt)
    end
    return code_cell_html(div, prompt)
  end
  if FORMAT:match("typst") then   -- a text cell: its blocks, without a wrapper
    return div.content
  end
  return nil
end

function RawBlock(raw)
  if raw.format == "html" and raw.text == ANSWER_SPACE and FORMAT:match("typst") then
    return typst("#answer-space()")
  end
  return nil
end
