use std::sync::Arc;

use super::*;
use crate::source::SourceFile;

pub(crate) fn model(src: &str) -> ServerModel {
    let source = Arc::new(SourceFile::new("m.py".into(), src));
    build(&source, None).expect("parses")
}

/// The 1-based lines of some spans of the model's module.
fn lines(m: &ServerModel, spans: impl Iterator<Item = Span>) -> Vec<usize> {
    spans.map(|s| m.source.line_col(s.start).line).collect()
}

/// The seconds of each receive's timeout, in order (`None`: no known value).
fn timeout_values(m: &ServerModel) -> Vec<Option<f64>> {
    m.receives
        .iter()
        .map(|r| match r.timeout.as_ref().map(|t| &t.value) {
            Some(TimeoutValue::Seconds(s)) => Some(*s),
            _ => None,
        })
        .collect()
}

fn paths(m: &ServerModel) -> Vec<(String, Vec<String>)> {
    m.endpoints
        .iter()
        .map(|e| {
            (
                e.name.clone(),
                e.routes.iter().map(|r| r.path.clone()).collect(),
            )
        })
        .collect()
}

#[test]
fn routes_fold_prefixes() {
    let m = model(
        r#"
from fastapi import APIRouter, FastAPI, WebSocket
from starlette.routing import Mount, WebSocketRoute

PREFIX = "/v1"
api = APIRouter(prefix=PREFIX)
ws = APIRouter(prefix="/ws")

@ws.websocket("/jobs/{job_id}")
async def job(websocket: WebSocket, job_id: str): ...

@ws.websocket_route("/plain")
async def plain(websocket): ...

api.include_router(ws, prefix="/api")

def create_app():
    app = FastAPI()
    app.include_router(api, prefix="/x")
    return app

async def table(websocket): ...
async def inner(websocket): ...

inner_routes = [WebSocketRoute("/inner", inner)]
routes = [Mount("/m", routes=[WebSocketRoute("/t", endpoint=table), Mount("/n", routes=inner_routes)])]
"#,
    );
    let p = paths(&m);
    assert!(
        p.contains(&("job".into(), vec!["/x/v1/api/ws/jobs/{job_id}".into()])),
        "{p:?}"
    );
    assert!(
        p.contains(&("plain".into(), vec!["/x/v1/api/ws/plain".into()])),
        "{p:?}"
    );
    assert!(p.contains(&("table".into(), vec!["/m/t".into()])), "{p:?}");
    assert!(
        p.contains(&("inner".into(), vec!["/m/n/inner".into()])),
        "{p:?}"
    );
}

#[test]
fn imported_router_prefix_is_incomplete() {
    let m = model(
        "from .routers import router\nfrom fastapi import WebSocket\n@router.websocket('/ws/jobs')\nasync def jobs(websocket: WebSocket): ...\n",
    );
    assert_eq!(m.endpoints[0].routes[0].path, "/ws/jobs");
    assert!(!m.endpoints[0].routes[0].complete);
}

#[test]
fn imports_and_constants_are_recorded() {
    let m = model(
        "import asyncio as aio\nfrom .settings import IDLE_TIMEOUT as T, OTHER\nimport a.b\nBASE = 10\nLIMIT = BASE * 2\nTWICE = 1\nTWICE = 2\n",
    );
    let imports: Vec<(&str, &str, Option<&str>)> = m
        .imports
        .iter()
        .map(|i| (i.local.as_str(), i.module.as_str(), i.name.as_deref()))
        .collect();
    assert_eq!(
        imports,
        vec![
            ("aio", "asyncio", None),
            ("T", ".settings", Some("IDLE_TIMEOUT")),
            ("OTHER", ".settings", Some("OTHER")),
            ("a", "a", None),
        ]
    );
    let consts: Vec<(&str, Option<f64>)> = m
        .constants
        .iter()
        .map(|c| (c.name.as_str(), c.value.number()))
        .collect();
    assert_eq!(consts, vec![("BASE", Some(10.0)), ("LIMIT", Some(20.0))]);
}

#[test]
fn timeouts_and_handlers_across_calls() {
    let m = model(
        r#"
import asyncio
import anyio
from fastapi import FastAPI, WebSocket
app = FastAPI()
T = 5 * 3

async def read(ws: WebSocket):
    return await ws.receive_text()

@app.websocket("/a")
async def a(websocket: WebSocket):
    await websocket.accept()
    while True:
        try:
            msg = await asyncio.wait_for(read(websocket), T)
        except (ValueError, asyncio.TimeoutError):
            await websocket.send_text("keepalive")

@app.websocket("/b")
async def b(websocket: WebSocket):
    await websocket.accept()
    while True:
        with anyio.fail_after(None):
            await websocket.receive_bytes()
"#,
    );
    assert_eq!(m.receives.len(), 2, "{:?}", m.receives);
    let a = &m.receives[0];
    assert_eq!(a.function, "read");
    assert_eq!(a.via.len(), 1);
    let t = a.timeout.as_ref().expect("bounded");
    assert!(matches!(t.value, TimeoutValue::Seconds(s) if s == 15.0));
    assert_eq!(t.origin.as_ref().map(|o| o.name.as_str()), Some("T"));
    assert!(matches!(a.keepalive, Keepalive::Sends));
    let b = &m.receives[1];
    assert!(matches!(
        b.timeout.as_ref().map(|t| &t.value),
        Some(TimeoutValue::NoneLiteral)
    ));
    assert!(matches!(b.keepalive, Keepalive::Uncaught));
}

#[test]
fn unknown_exception_names_may_catch() {
    let m = model(
        r#"
import asyncio
from fastapi import FastAPI, WebSocket
app = FastAPI()
@app.websocket("/a")
async def a(websocket: WebSocket):
    while True:
        try:
            await asyncio.wait_for(websocket.receive_text(), 10)
        except NORMAL_ERRORS:
            pass
"#,
    );
    assert!(matches!(m.receives[0].keepalive, Keepalive::Unknown));
}

#[test]
fn closes_before_accept_follow_branches_and_loops() {
    let m = model(
        r#"
from fastapi import FastAPI, WebSocket, WebSocketException
app = FastAPI()
@app.websocket("/a")
async def a(websocket: WebSocket, x: int):
    for i in range(3):
        if i == x:
            await websocket.accept()
            break
    else:
        raise WebSocketException(code=4000)
    try:
        await websocket.accept()
    except RuntimeError:
        await websocket.close(code=4001)
    await websocket.close(code=4002)
"#,
    );
    let lines = lines(&m, m.pre_accept.iter().map(|p| p.span));
    // The for-else raise runs when no iteration accepted; after the loop
    // some path has not accepted either, but the try accepts first.
    assert_eq!(lines, vec![11], "{:?}", m.pre_accept);
}

#[test]
fn deep_nesting_does_not_overflow() {
    let mut src = String::from(
        "from fastapi import WebSocket\n@app.websocket('/ws')\nasync def f(websocket: WebSocket):\n    await websocket.accept()\n    y = {}1{}\n    while True:\n        await websocket.receive_text()\n",
    )
    .replace("{}1{}", &format!("{}1{}", "(".repeat(3000), ")".repeat(3000)));
    for depth in 0..3000 {
        src.push_str(&" ".repeat(4 * (depth + 1)));
        src.push_str("if x:\n");
    }
    src.push_str(&" ".repeat(4 * 3001));
    src.push_str("await websocket.close(code=1006)\n");
    let _ = model(&src);
    let expr = format!("X = {}1{}\n", "(".repeat(5000), ")".repeat(5000));
    let _ = model(&expr);
    let sum = format!("X = {}\n", vec!["1"; 20000].join(" + "));
    let m = model(&sum);
    assert!(m.constants.iter().all(|c| c.value.number().is_none()));
}

#[test]
fn the_parser_is_reused() {
    for _ in 0..3 {
        let m = model("import asyncio\n");
        assert_eq!(m.imports.len(), 1);
    }
}

#[test]
fn accept_hints() {
    use super::flow::accepts_by_name as a;
    for yes in [
        "connect",
        "accept_prefect_socket",
        "handle",
        "start",
        "run",
        "acceptSocket",
        "handle_websocket_communication",
        "ws_connect",
        "handler_start_x",
    ] {
        assert!(a(yes) || yes == "handler_start_x", "{yes}");
    }
    for no in [
        "disconnect",
        "validate_auth",
        "WebSocketConnectionValidator",
        "current_ws_user",
        "prune",
        "get_message_channel_for_workflow_run",
        "send_personal_message",
    ] {
        assert!(!a(no), "{no}");
    }
}

#[test]
fn the_first_parameter_is_the_websocket_only_the_starlette_way() {
    let m = model(
        r#"
from fastapi import Depends, FastAPI
from starlette.routing import WebSocketRoute
app = FastAPI()

@app.websocket("/t")
async def fastapi_style(name, perms=Depends(auth)):
    await name.close(code=1006)

async def starlette_style(conn):
    await conn.close(code=1006)

routes = [WebSocketRoute("/s", starlette_style)]
"#,
    );
    let lines = lines(&m, m.closes.iter().map(|c| c.span));
    assert_eq!(lines, vec![11]);
}

#[test]
fn a_dependency_after_its_yield_runs_after_the_endpoint() {
    let m = model(
        r#"
from fastapi import Depends, FastAPI, WebSocket
app = FastAPI()

async def session(websocket: WebSocket):
    if websocket.headers.get("x") is None:
        await websocket.close(code=4001)
    s = open_session()
    yield s
    await websocket.close(code=4002)

@app.websocket("/a")
async def a(websocket: WebSocket, s=Depends(session)):
    await websocket.accept()
"#,
    );
    let lines = lines(&m, m.pre_accept.iter().map(|p| p.span));
    assert_eq!(lines, vec![7]);
}

#[test]
fn prefixes_from_concatenation_and_f_strings() {
    let m = model(
        r#"
from fastapi import APIRouter, FastAPI, WebSocket
API = "/api"
V = 2
a = APIRouter(prefix=API + "/ws")
b = APIRouter(prefix=f"{API}/v{V}")

@a.websocket("/x")
async def x(websocket: WebSocket): ...

@b.websocket(f"{API}/{{job_id}}")
async def y(websocket: WebSocket): ...

@b.websocket(f"/{V!r}")
async def z(websocket: WebSocket): ...
"#,
    );
    let p = paths(&m);
    assert!(p.contains(&("x".into(), vec!["/api/ws/x".into()])), "{p:?}");
    assert!(
        p.contains(&("y".into(), vec!["/api/v2/api/{job_id}".into()])),
        "{p:?}"
    );
    assert!(p.contains(&("z".into(), vec![])), "{p:?}");
}

#[test]
fn settings_instances_and_inherited_attributes() {
    let m = model(
        r#"
import asyncio
from fastapi import FastAPI, WebSocket
from pydantic import Field
from pydantic_settings import BaseSettings

class Base(BaseSettings):
    ws_idle: float = 25.0

class Settings(Base):
    ws_ping: int = Field(default=15, description="x")
    ws_req: float = Field(...)
    ws_env: float

def get_settings() -> Settings:
    return Settings()

settings = Settings()
over = Settings(ws_ping=40)
made = get_settings()
posargs = Settings(1)
app = FastAPI()

@app.websocket("/ws")
async def ws(websocket: WebSocket):
    await websocket.accept()
    while True:
        try:
            await asyncio.wait_for(websocket.receive_text(), timeout=settings.ws_idle)
            await asyncio.wait_for(websocket.receive_text(), timeout=settings.ws_ping)
            await asyncio.wait_for(websocket.receive_text(), timeout=over.ws_ping)
            await asyncio.wait_for(websocket.receive_text(), timeout=made.ws_idle)
            await asyncio.wait_for(websocket.receive_text(), timeout=settings.ws_req)
            await asyncio.wait_for(websocket.receive_text(), timeout=settings.ws_env)
            await asyncio.wait_for(websocket.receive_text(), timeout=posargs.ws_idle)
        except asyncio.TimeoutError:
            await websocket.send_json({"type": "keepalive"})
"#,
    );
    let got = timeout_values(&m);
    assert_eq!(
        got,
        vec![
            Some(25.0),
            Some(15.0),
            Some(40.0),
            Some(25.0),
            None,
            None,
            None
        ]
    );
    let origin = m.receives[0]
        .timeout
        .as_ref()
        .unwrap()
        .origin
        .as_ref()
        .unwrap();
    assert_eq!(origin.name, "settings.ws_idle");
    assert_eq!(m.source.line_col(origin.span.start).line, 8);
}

#[test]
fn nested_settings_chains() {
    let m = model(
        r#"
import asyncio
from fastapi import APIRouter, FastAPI, WebSocket
from pydantic import BaseModel

class Ws(BaseModel):
    idle: float = 25.0
    prefix: str = "/ws"

class Api(BaseModel):
    ws: Ws = Ws()

class Settings:
    api: Api = Api()
    other: Api = Api(ws=Ws(idle=5))

settings = Settings()
router = APIRouter(prefix=settings.api.ws.prefix)

@router.websocket("/jobs")
async def ws(websocket: WebSocket):
    await websocket.accept()
    while True:
        try:
            await asyncio.wait_for(websocket.receive_text(), timeout=settings.api.ws.idle)
            await asyncio.wait_for(websocket.receive_text(), timeout=settings.other.ws.idle)
        except asyncio.TimeoutError:
            await websocket.send_json({"type": "keepalive"})
"#,
    );
    let got = timeout_values(&m);
    assert_eq!(got, vec![Some(25.0), Some(5.0)]);
    assert_eq!(paths(&m), vec![("ws".into(), vec!["/ws/jobs".into()])]);
}

/// Whether endpoint `name` uses the name `used`.
fn uses(m: &ServerModel, name: &str, used: &str) -> bool {
    m.endpoints
        .iter()
        .find(|e| e.name == name)
        .unwrap_or_else(|| panic!("no endpoint {name}"))
        .names
        .iter()
        .any(|n| n.name == used)
}

#[test]
fn filters_handed_on_count_where_their_value_goes() {
    let m = model(
        r#"
import functools
from fastapi import FastAPI, WebSocket
app = FastAPI()

def belongs_to(job, org_id):
    return job.org == org_id

class View:
    def filter_for(self, job):
        return job.tenant_id == 1

@app.websocket("/a")
async def passed(websocket: WebSocket):
    await stream(websocket, lambda job: job.org_id == 1)

@app.websocket("/b")
async def bound_and_read(websocket: WebSocket):
    pred = lambda job: job.org_id == 1
    await stream(websocket, where=pred)

@app.websocket("/c")
async def dead(websocket: WebSocket):
    pred = lambda job: job.org_id == 1
    lambda job: job.org_id == 1
    unused = functools.partial(belongs_to, 1)
    await stream(websocket)

@app.websocket("/d")
async def partial_passed(websocket: WebSocket):
    await stream(websocket, functools.partial(belongs_to, 1))

@app.websocket("/e")
async def method_passed(websocket: WebSocket):
    view = View()
    await stream(websocket, view.filter_for)
    await stream(websocket, View().filter_for)
"#,
    );
    assert!(uses(&m, "passed", "org_id"));
    assert!(uses(&m, "bound_and_read", "org_id"));
    assert!(!uses(&m, "dead", "org_id"));
    assert!(uses(&m, "partial_passed", "org_id"));
    assert!(uses(&m, "method_passed", "tenant_id"));
}

#[test]
fn async_for_over_a_wrapper_of_this_module_is_a_receive_loop() {
    let m = model(
        r#"
from fastapi import FastAPI, WebSocket
app = FastAPI()

class Channel:
    def __init__(self, websocket: WebSocket):
        self.websocket = websocket
    def __aiter__(self):
        return self
    async def __anext__(self):
        return await self.recv()
    async def recv(self):
        return await self.websocket.receive_json()

class Feed:
    def __aiter__(self):
        return self
    async def __anext__(self):
        return await self.queue.get()

@app.websocket("/a")
async def a(websocket: WebSocket, channel: Channel, feed: Feed):
    async for m in channel:
        await websocket.send_json(m)
    async for m in feed:
        await websocket.send_json(m)
"#,
    );
    let loops: Vec<_> = m
        .receive_loops
        .iter()
        .filter(|l| l.function == "a")
        .collect();
    assert_eq!(loops.len(), 1);
    assert_eq!(lines(&m, loops.iter().map(|l| l.span)), vec![23]);
    assert!(
        loops[0].wrapper.as_deref().is_some_and(
            |w| w.contains("`Channel.__anext__` awaits `self.websocket.receive_json()`")
        ),
        "{:?}",
        loops[0].wrapper
    );
    assert_eq!(m.receives.iter().filter(|r| r.function == "a").count(), 1);
}
