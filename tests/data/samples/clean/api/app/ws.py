"""Job status over a websocket, scoped to the caller's organisation.

Follows every server rule of the contract: the endpoint accepts before it
closes with a code, bounds each receive by a 15 s timeout whose handler
sends a keepalive, answers the client's "ping", and filters by org_id.
"""

import asyncio

from fastapi import APIRouter, WebSocket, WebSocketDisconnect

router = APIRouter()

KEEPALIVE_S = 15


async def current_user(token: str | None) -> dict | None:
    if not token:
        return None
    return {"name": "demo", "org_id": "org-1"}


async def job_statuses(org_id: str) -> list[dict]:
    return [{"job": "build-1", "org_id": org_id, "status": "running"}]


@router.websocket("/ws/jobs")
async def job_updates(websocket: WebSocket) -> None:
    await websocket.accept()
    user = await current_user(websocket.query_params.get("token"))
    if user is None:
        await websocket.close(code=4001)
        return
    org_id = user["org_id"]
    try:
        while True:
            try:
                message = await asyncio.wait_for(websocket.receive_text(), timeout=KEEPALIVE_S)
            except asyncio.TimeoutError:
                await websocket.send_text("keepalive")
                continue
            if message == "ping":
                await websocket.send_text("pong")
                continue
            await websocket.send_json(await job_statuses(org_id))
    except WebSocketDisconnect:
        return
