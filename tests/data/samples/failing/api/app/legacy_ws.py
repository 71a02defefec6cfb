"""The pre-incident endpoint: it waits for the client forever."""

from fastapi import FastAPI, WebSocket

app = FastAPI()


@app.websocket("/ws/legacy")
async def legacy(websocket: WebSocket) -> None:
    await websocket.accept()
    while True:
        message = await websocket.receive_text()
        await websocket.send_text(message)
