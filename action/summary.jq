# The step summary (Markdown) from wslint's JSON report. Arguments:
# $workspace (with a trailing /, stripped from absolute paths), $max (rows
# at most), $rc (wslint's exit code).

def plural($n; $word): "\($n) \($word)\(if $n == 1 then "" else "s" end)";

# Table-safe Markdown: `|` escaped everywhere (GFM allows `\|` in code spans
# too); outside code spans, HTML is escaped and line breaks become <br>.
def cell:
  tostring
  | split("`")
  | to_entries
  | map(if .key % 2 == 0
        then .value | gsub("&"; "&amp;") | gsub("<"; "&lt;") | gsub(">"; "&gt;")
             | gsub("\r?\n"; "<br>")
        else .value | gsub("\r?\n"; " ")
        end)
  | join("`")
  | gsub("\\|"; "\\|");

def relative: if startswith($workspace) then .[($workspace | length):] else . end;

(map(select(.severity == "error")) | length) as $errors
| (map(select(.severity == "warning")) | length) as $warnings
| "### wslint\n\n"
  + (if $rc == 2 then "wslint reported an error (exit code 2): see the step log.\n\n" else "" end)
  + if length == 0 then
      "No problems found.\n"
    else
      "**\(plural($errors; "error")), \(plural($warnings; "warning"))**\n\n"
      + "| Severity | Rule | Location | Message |\n"
      + "|---|---|---|---|\n"
      + (.[:$max]
         | map("| \(.severity) | \(if .url then "[\(.code)](\(.url))" else .code end) \(.name | cell) | "
               + ("`\(.path | relative):\(.line):\(.column)`" | cell)
               + " | \(.message | cell) |")
         | join("\n"))
      + "\n"
      + (if length > $max then "\nand \(length - $max) more: see the step log.\n" else "" end)
    end
