//! A real editor: Neovim, headless, with `wslint server` as its language
//! server, configured by the README's own Neovim block. It opens a file
//! with a finding, waits for the diagnostic, applies a code action through
//! Neovim's own code-action path (`vim.lsp.buf.code_action`, the choice
//! made by a `vim.ui.select` that picks the action by title), saves, waits
//! for the diagnostics of the saved text, and quits; the test then reads
//! the file on disk.
//!
//! Neovim is Debian's `neovim` package (0.7.2 on Debian 12), which `.ci/run`
//! installs. Where it is missing the test says so and passes, except under
//! CI (`CI` set), where it fails.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

mod common;
use common::sources::{NGINX_SHORT, SOCKET, hook};

/// The Lua that drives Neovim: environment variables name the file, the
/// title the chosen action starts with, and where to write the outcome.
const DRIVER: &str = r#"
local file = vim.env.WSLINT_E2E_FILE
local want = vim.env.WSLINT_E2E_ACTION
local out = vim.env.WSLINT_E2E_OUT
local function finish(msg)
  local f = assert(io.open(out, 'w'))
  f:write(msg)
  f:close()
  vim.cmd('qall!')
end
local ok, err = pcall(function()
  vim.cmd('edit ' .. vim.fn.fnameescape(file))
  local buf = vim.api.nvim_get_current_buf()
  local function codes()
    local seen = {}
    for _, d in ipairs(vim.diagnostic.get(buf)) do
      table.insert(seen, tostring(d.code))
    end
    return table.concat(seen, ',')
  end
  assert(vim.wait(15000, function() return codes() ~= '' end, 10),
    'no diagnostic arrived (is the server attached? ' .. #vim.lsp.buf_get_clients(buf) .. ' clients)')
  local before = codes()
  local d = vim.diagnostic.get(buf)[1]
  vim.api.nvim_win_set_cursor(0, { d.lnum + 1, d.col })
  local offered = {}
  local chosen = false
  vim.ui.select = function(items, _, on_choice)
    for i, item in ipairs(items) do
      -- {client_id, action} before Neovim 0.10, {action=, ctx=} after.
      local action = item.action or item[2]
      table.insert(offered, action.title)
      if not chosen and vim.startswith(action.title, want) then
        chosen = true
        on_choice(item, i)
        return
      end
    end
    on_choice(nil, nil)
  end
  -- The action may edit another file: Neovim loads it into a buffer.
  local function ticks()
    local sum = 0
    for _, b in ipairs(vim.api.nvim_list_bufs()) do
      if vim.api.nvim_buf_is_loaded(b) then
        sum = sum + vim.api.nvim_buf_get_changedtick(b)
      end
    end
    return sum
  end
  local tick = ticks()
  vim.lsp.buf.code_action()
  assert(vim.wait(15000, function() return #offered > 0 end, 10), 'no code action was offered')
  assert(chosen, 'no action titled "' .. want .. '..." among: ' .. table.concat(offered, ' | '))
  assert(vim.wait(15000, function() return ticks() ~= tick end, 10),
    'the action changed no buffer')
  -- Every buffer the action edited (a fix may edit another file).
  vim.cmd('wall')
  -- The diagnostics of the edited text: the finding is gone.
  assert(vim.wait(15000, function() return codes() ~= before end, 10),
    'the diagnostics stayed ' .. before .. ' after the action')
  finish('ok ' .. before .. ' -> [' .. codes() .. '] offered: ' .. table.concat(offered, ' | '))
end)
if not ok then
  finish('FAIL ' .. tostring(err))
end
"#;

/// The README's Neovim block for the Neovim Debian ships.
fn readme_block() -> String {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md"))
        .expect("README.md");
    let mut blocks = readme.split("```lua\n").skip(1);
    blocks
        .find_map(|b| {
            let body = b.split("```").next()?;
            body.contains("vim.lsp.start_client")
                .then(|| body.to_string())
        })
        .expect("README.md has a ```lua block with vim.lsp.start_client (the Neovim 0.7 setup)")
}

fn nvim() -> Option<PathBuf> {
    let out = Command::new("nvim").arg("--version").output().ok()?;
    out.status.success().then(|| PathBuf::from("nvim"))
}

/// Runs Neovim on `file`, applying the action whose title starts with
/// `action`; the driver's report.
fn drive(dir: &Path, file: &Path, action: &str) -> String {
    let nvim = nvim().expect("nvim");
    let init = dir.join("init.lua");
    std::fs::write(&init, readme_block()).unwrap();
    let driver = dir.join("driver.lua");
    std::fs::write(&driver, DRIVER).unwrap();
    let out = dir.join("outcome.txt");
    let _ = std::fs::remove_file(&out);
    let bin = Path::new(env!("CARGO_BIN_EXE_wslint")).parent().unwrap();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let home = dir.join("home");
    let mut child = Command::new(nvim)
        .args(["--headless", "-n", "-i", "NONE", "-u"])
        .arg(&init)
        .arg("-c")
        .arg(format!("luafile {}", driver.display()))
        .current_dir(file.parent().unwrap())
        .env("PATH", path)
        .env("HOME", &home)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_STATE_HOME", home.join("state"))
        .env("XDG_CACHE_HOME", home.join("cache"))
        .env("WSLINT_E2E_FILE", file)
        .env("WSLINT_E2E_ACTION", action)
        .env("WSLINT_E2E_OUT", &out)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start nvim");
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("Neovim did not finish within 60 s");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let report = std::fs::read_to_string(&out).unwrap_or_else(|_| {
        let log = std::fs::read_to_string(home.join("cache/nvim/lsp.log")).unwrap_or_default();
        panic!("Neovim wrote no outcome; its LSP log:\n{log}")
    });
    assert!(report.starts_with("ok "), "{report}");
    report
}

/// Whether Neovim can run here; where it cannot, says so (and fails
/// under CI, which must run these tests).
fn have_nvim() -> bool {
    if nvim().is_some() {
        return true;
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "nvim is not installed; .ci/run installs Debian's neovim package, and CI must run this test"
    );
    eprintln!("skipped: nvim is not installed here (Debian package `neovim`; .ci/run installs it)");
    false
}

/// A project folder with `file` holding `text`: the folder of the test,
/// and the file's path.
fn project_with(file: &str, text: &str) -> (tempfile::TempDir, PathBuf, PathBuf) {
    let t = tempfile::tempdir().unwrap();
    let dir = t.path().canonicalize().unwrap();
    let project = dir.join("project");
    let path = project.join(file);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(project.join("wslint.toml"), "").unwrap();
    std::fs::write(&path, text).unwrap();
    (t, dir, path)
}

/// `wslint check` on the saved file finds nothing.
fn clean_on_the_command_line(file: &Path) {
    let check = Command::new(env!("CARGO_BIN_EXE_wslint"))
        .arg("check")
        .arg(file)
        .current_dir(file.parent().unwrap())
        .output()
        .unwrap();
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stdout)
    );
}

#[test]
fn neovim_applies_the_ignore_action_and_saves() {
    if !have_nvim() {
        return;
    }
    let text = hook("30_000");
    let (_t, dir, file) = project_with("src/useJobsSocket.ts", &text);
    let report = drive(&dir, &file, "Ignore WS101");
    eprintln!("neovim: {report}");
    assert!(report.contains("WS101 -> []"), "{report}");
    let saved = std::fs::read_to_string(&file).unwrap();
    let expected = text.replace(
        "    timer = setInterval(",
        "    // wslint-ignore WS101\n    timer = setInterval(",
    );
    assert_eq!(saved, expected);
    clean_on_the_command_line(&file);
}

#[test]
fn neovim_applies_a_fix_and_saves() {
    if !have_nvim() {
        return;
    }
    let (_t, dir, file) = project_with("deploy/nginx/site.conf", NGINX_SHORT);
    let report = drive(&dir, &file, "Fix WS301");
    eprintln!("neovim: {report}");
    assert!(report.contains("WS301 -> []"), "{report}");
    let saved = std::fs::read_to_string(&file).unwrap();
    assert_eq!(
        saved,
        NGINX_SHORT.replace("proxy_read_timeout 30s;", "proxy_read_timeout 60s;")
    );
    clean_on_the_command_line(&file);
}

#[test]
fn neovim_applies_a_fix_to_another_file_and_saves_it() {
    if !have_nvim() {
        return;
    }
    let (_t, dir, file) = project_with("src/socket.ts", SOCKET);
    let constants = file.with_file_name("constants.ts");
    std::fs::write(&constants, "export const HEARTBEAT_MS = 30_000;\n").unwrap();
    let report = drive(&dir, &file, "Fix WS101");
    eprintln!("neovim: {report}");
    assert!(report.contains("WS101 -> []"), "{report}");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), SOCKET);
    assert_eq!(
        std::fs::read_to_string(&constants).unwrap(),
        "export const HEARTBEAT_MS = 20_000;\n"
    );
    clean_on_the_command_line(&file);
}
