#!/usr/bin/env python3
"""A real MCP client (the `mcp` package from PyPI) that drives `planrun mcp` over stdio for the Swift tests.

Usage: mcp_client.py SCENARIO [options] -- SERVER_COMMAND...

Each scenario prints one JSON object on stdout; the Swift test (Tests/PlanrunTests/MCPClientTests.swift)
asserts on it. The server's stderr passes through to this script's stderr. Scenarios:

  list                       list the tools; check every inputSchema and outputSchema is valid JSON Schema
  call --tool T --args JSON  call a tool (with a progress callback); the client itself validates the
                             structured result against the tool's outputSchema
  cancel --tool T --args JSON --marker M
                             call a tool, cancel the call once the first step has finished, then look for
                             processes whose arguments include M (the server still running) and ping
  reload --file F --content C
                             list, replace plan file F by file C, wait for the server's
                             notifications/tools/list_changed, list again
"""

import argparse
import json
import os
import shutil
import sys

import anyio
from jsonschema.exceptions import SchemaError
from jsonschema.validators import validator_for
from mcp import Client, StdioServerParameters
from mcp_types import ToolListChangedNotification


def server_parameters(command):
    return StdioServerParameters(command=command[0], args=command[1:], cwd=os.getcwd(), env=dict(os.environ))


def schema_problem(schema):
    """None when `schema` is a valid JSON Schema (by its own $schema, else the latest draft), else why not."""
    try:
        validator_for(schema).check_schema(schema)
        return None
    except SchemaError as error:
        return str(error)


async def list_tools(client):
    result = await client.list_tools()
    return result.tools


async def scenario_list(client, options):
    tools = await list_tools(client)
    out = []
    for tool in tools:
        out.append({
            "name": tool.name,
            "description": tool.description,
            "annotations": tool.annotations.model_dump(by_alias=True, exclude_none=True) if tool.annotations else None,
            "inputSchema": tool.input_schema,
            "outputSchema": tool.output_schema,
            "inputSchemaProblem": schema_problem(tool.input_schema),
            "outputSchemaProblem": schema_problem(tool.output_schema) if tool.output_schema else "missing",
        })
    return {"tools": out}


def call_summary(result, progress):
    return {
        "isError": bool(result.is_error),
        "structuredContent": result.structured_content,
        "text": [item.text for item in result.content if getattr(item, "type", None) == "text"],
        "progress": progress,
        "meta": result.model_dump(by_alias=True).get("_meta"),
    }


async def scenario_call(client, options):
    await list_tools(client)  # the client validates results against the schemas it listed
    progress = []

    async def on_progress(value, total, message):
        progress.append({"progress": value, "message": message})

    try:
        result = await client.call_tool(options.tool, json.loads(options.args), progress_callback=on_progress)
    except RuntimeError as error:  # a structured result that does not match the outputSchema
        return {"clientError": str(error), "progress": progress}
    return call_summary(result, progress)


def live_pids(marker):
    """Pids of live processes with `marker` as one of their arguments (zombies have an empty cmdline)."""
    pids = []
    for name in os.listdir("/proc"):
        if not name.isdigit() or int(name) == os.getpid():  # this script has the marker among its arguments
            continue
        try:
            with open(f"/proc/{name}/cmdline", "rb") as f:
                arguments = f.read().split(b"\0")
        except OSError:
            continue
        if marker.encode() in arguments:
            pids.append(int(name))
    return pids


async def scenario_cancel(client, options):
    await list_tools(client)
    first_step = anyio.Event()
    progress = []

    async def on_progress(value, total, message):
        progress.append({"progress": value, "message": message})
        first_step.set()

    outcome = {"completed": False}

    async def call():
        result = await client.call_tool(options.tool, json.loads(options.args), progress_callback=on_progress)
        outcome["completed"] = True
        outcome["result"] = call_summary(result, progress)

    running_before = []
    async with anyio.create_task_group() as group:
        group.start_soon(call)
        with anyio.fail_after(30):
            await first_step.wait()
            # The long step has started by now; see it running before the cancel. Its processes start one
            # after another (a shell, then its children): wait until their set stops growing.
            while not live_pids(options.marker):
                await anyio.sleep(0.05)
            running_before = live_pids(options.marker)
            while True:
                await anyio.sleep(0.2)
                now = live_pids(options.marker)
                if now == running_before:
                    break
                running_before = now
        group.cancel_scope.cancel()  # the client sends notifications/cancelled for the call
    survivors = live_pids(options.marker)
    with anyio.move_on_after(10):
        while survivors:
            await anyio.sleep(0.1)
            survivors = live_pids(options.marker)
    await client.send_ping()  # the server is still serving
    return {
        "completed": outcome["completed"],
        "runningBefore": running_before,
        "survivors": survivors,
        "progress": progress,
        "ping": True,
    }


async def scenario_reload(client, options):
    before = [tool.name for tool in await list_tools(client)]
    shutil.copyfile(options.content, options.file)
    notified = False
    with anyio.move_on_after(30):
        await LIST_CHANGED.wait()
        notified = True
    after = [tool.name for tool in await list_tools(client)]
    return {"before": before, "after": after, "listChangedNotified": notified}


LIST_CHANGED = None


async def on_message(message):
    if isinstance(message, ToolListChangedNotification):
        LIST_CHANGED.set()


SCENARIOS = {"list": scenario_list, "call": scenario_call, "cancel": scenario_cancel, "reload": scenario_reload}


async def main():
    arguments = sys.argv[1:]
    if "--" not in arguments:
        sys.exit("usage: mcp_client.py SCENARIO [options] -- SERVER_COMMAND...")
    split = arguments.index("--")
    parser = argparse.ArgumentParser()
    parser.add_argument("scenario", choices=sorted(SCENARIOS))
    parser.add_argument("--tool")
    parser.add_argument("--args", default="{}")
    parser.add_argument("--marker")
    parser.add_argument("--file")
    parser.add_argument("--content")
    options = parser.parse_args(arguments[:split])
    global LIST_CHANGED
    LIST_CHANGED = anyio.Event()
    async with Client(server_parameters(arguments[split + 1:]), message_handler=on_message) as client:
        info = {"protocolVersion": client.session.protocol_version}
        report = await SCENARIOS[options.scenario](client, options)
    report["session"] = info
    print(json.dumps(report))


if __name__ == "__main__":
    anyio.run(main)
