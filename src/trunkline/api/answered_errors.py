"""An unexpected error a dialect has already answered (its 500, in its own envelope) ends here.

Starlette's outermost layer sends the app's ``Exception`` handler's answer and then raises the
error again, for the server to log. uvicorn then closes the connection without saying so
(no ``Connection: close``), and a keep-alive client's next request on it fails with a reset:
one failed request becomes two. The dialect's handler has logged the error already, so once its
answer has gone out in full, the error stops here. An answer cut short still goes on to the
server, which must close that connection.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class StopAnsweredErrors:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        answered = False

        async def watched(message: Message) -> None:
            nonlocal answered
            await send(message)
            if message["type"] == "http.response.body" and not message.get("more_body", False):
                answered = True

        try:
            await self.app(scope, receive, watched)
        except Exception:
            if not answered:
                raise
