"""``AgentTurns``: requests for one agent take turns, other agents' do not wait, nothing is kept."""

from __future__ import annotations

import asyncio

from trunkline.services.agent_turns import AgentTurns


def test_one_agent_at_a_time_others_at_once_and_the_table_empties() -> None:
    turns = AgentTurns()
    inside: dict[str, int] = {"asha": 0, "ravi": 0}
    most: dict[str, int] = {"asha": 0, "ravi": 0}
    order: list[str] = []

    async def request(user_id: str, n: int) -> None:
        async with turns.turn(1, user_id):
            inside[user_id] += 1
            most[user_id] = max(most[user_id], inside[user_id])
            order.append(f"{user_id}{n}")
            await asyncio.sleep(0.01)
            inside[user_id] -= 1

    async def scenario() -> None:
        await asyncio.gather(*(request(user, n) for n in range(4) for user in ("asha", "ravi")))
        assert len(turns) == 0

    asyncio.run(scenario())
    assert most == {"asha": 1, "ravi": 1}
    assert order[:2] == ["asha0", "ravi0"]  # ravi's first did not wait for asha's
    assert [step for step in order if step.startswith("asha")] == ["asha0", "asha1", "asha2", "asha3"]


def test_a_failing_request_gives_the_turn_on() -> None:
    turns = AgentTurns()

    async def failing() -> None:
        async with turns.turn(1, "asha"):
            raise ValueError("the agent is busy")

    async def scenario() -> None:
        results = await asyncio.gather(failing(), failing(), return_exceptions=True)
        assert all(isinstance(result, ValueError) for result in results)
        async with asyncio.timeout(1):
            async with turns.turn(1, "asha"):
                pass
        assert len(turns) == 0

    asyncio.run(scenario())
