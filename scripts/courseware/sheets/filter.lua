-- Pandoc filter for the sheets (scripts/make_sheets.py), for typst and HTML output.
-- pandoc's ipynb reader gives each cell as a Div of class "cell"; a code cell holds its
-- source (a CodeBlock) and its outputs (Divs of class "output"). This filter puts the
-- execution prompt ("[3]:", "[ ]:" when never run) beside the source, sets the outputs
-- apart from the source, gives each figure its printed size (from the sheet-width and
-- sheet-sideways attributes that notebook.py set), sets equation numbers apart from
-- their equations, and turns the answer-space markers into room for answers.

local function typst(text)
  return pandoc.RawBlock("typst", text)
end

-- A typst string literal (quotes, backslashes and control characters escaped).
local function typst_string(text)
  local escaped = text:gsub("\\", "\\\\"):gsub('"', '\\"'):gsub("%c", function(char)
    if char == "\n" then return "\\n" end
    if char == "\t" then return "\\t" end
    return string.format("\\u{%x}", string.byte(char))
  end)
  return '"' .. escaped .. '"'
end

-- The handwritten lines of room an answer-space marker asks for: a number, "" for
-- the default, nil if the text is no marker.
local function answer_lines(text)
  if text == '<div class="answer-space"></div>' then
    return ""
  end
  return text:match('^<div class="answer%-space" data%-lines="(%d+)"></div>$')
end

-- The figure of an output Div that shows only a figure sized by notebook.py, or nil.
local function sized_figure(div)
  if #div.content ~= 1 or div.content[1].t ~= "Para" or #div.content[1].content ~= 1 then
    return nil
  end
  local image = div.content[1].content[1]
  if image.t ~= "Image" or not image.attributes["sheet-width"] then
    return nil
  end
  return image
end

local function code_cell_typst(div, prompt)
  local has_output = false
  for _, block in ipairs(div.content) do
    has_output = has_output or (block.t == "Div" and block.classes:includes("output"))
  end
  local blocks = pandoc.Blocks({})
  for _, block in ipairs(div.content) do
    local figure = block.t == "Div" and sized_figure(block)
    if block.t == "CodeBlock" then
      blocks:insert(typst("#code-input(prompt: " .. typst_string(prompt) ..
                          ", has-output: " .. tostring(has_output) .. ")["))
      blocks:insert(block)
      blocks:insert(typst("]"))
    elseif figure then
      -- At the top level, not inside the output's block, so that it may float.
      local attributes = figure.attributes
      local function flag(name)     -- pandoc quotes a metadata string that reads as JSON
        return ((attributes[name] or "false"):gsub('"', "") == "true") and "true" or "false"
      end
      blocks:insert(typst("#output-figure(sideways: " .. flag("sheet-sideways") ..
                          ", full: " .. flag("sheet-full") ..
                          ", prompt: " .. typst_string(prompt) .. ")["))
      figure.attributes = {width = attributes["sheet-width"]:gsub('"', "") .. "pt"}
      blocks:insert(pandoc.Plain({figure}))
      blocks:insert(typst("]"))
    elseif block.t == "Div" and block.classes:includes("output") then
      local kind = block.classes:includes("stderr") and "stderr" or "output"
      blocks:insert(typst("#code-output(kind: " .. typst_string(kind) .. ")["))
      for _, inner in ipairs(block.content) do
        if inner.t == "CodeBlock" then   -- printed text: plain, set smaller if it is wide
          blocks:insert(typst("#output-text(" .. typst_string((inner.text:gsub("\n+$", ""))) .. ")"))
        else
          blocks:insert(inner)
        end
      end
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
  if raw.format ~= "html" then
    return nil
  end
  local lines = answer_lines(raw.text)
  if not lines then
    return nil
  end
  if FORMAT:match("typst") then
    return typst("#answer-space(" .. (lines ~= "" and ("lines: " .. lines) or "") .. ")")
  end
  return pandoc.RawBlock("html", '<div class="answer-space"' ..
                         (lines ~= "" and (' style="--lines: ' .. lines .. '"') or "") .. '></div>')
end

-- For typst: an equation number written by hand after '&&' in an aligned display
-- ("&& (4)") gets a quad of room (typst puts no gap between alignment columns), and a
-- norm's \| becomes \Vert (pandoc writes \| as the relation "parallel", which sets
-- the norm's scripts as limits).
function Math(math)
  if not FORMAT:match("typst") then
    return nil
  end
  local text = math.text:gsub("(\\+)|", function(run)
    if #run % 2 == 1 then return run:sub(1, -2) .. "\\Vert " end
  end)
  if math.mathtype == "DisplayMath" then
    text = text:gsub("&&%s*(%(%d+%))", "&& \\qquad %1")
  end
  if text ~= math.text then
    math.text = text
    return math
  end
  return nil
end
