import PlanEngine

/// `schemas/result.schema.json`, built into the binary: `planrun mcp` serves it as every tool's output schema
/// wherever it is installed. A test checks that it equals the file; when the file changes, paste it here.
enum ResultSchema {
    static let text = #"""
{
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "$id": "https://planrun.dev/schemas/result.schema.json",
  "title": "planrun result",
  "description": "The JSON document `planrun run` prints on stdout: the plan's own output fields first, then the engine's keys.",
  "type": "object",
  "required": [
    "operation",
    "issues",
    "recommendations",
    "validation_status",
    "confidence",
    "execution_time",
    "steps"
  ],
  "properties": {
    "operation": {
      "type": "string",
      "minLength": 1
    },
    "issues": {
      "type": "array",
      "items": {
        "$ref": "#/$defs/issue"
      }
    },
    "recommendations": {
      "type": "array",
      "items": {
        "type": "string"
      }
    },
    "validation_status": {
      "enum": [
        "success",
        "partial",
        "failed"
      ]
    },
    "confidence": {
      "type": "number",
      "minimum": 0,
      "maximum": 1
    },
    "execution_time": {
      "type": "number",
      "minimum": 0,
      "description": "seconds"
    },
    "dry_run": {
      "const": true
    },
    "waves": {
      "type": "array",
      "items": {
        "type": "array",
        "items": {
          "type": "string"
        }
      }
    },
    "batches": {
      "type": "object",
      "description": "dry-run only: each group's rollout batches (batch:), node names in inventory order, keyed by the group's step id",
      "additionalProperties": {
        "type": "array",
        "items": {
          "type": "array",
          "items": {
            "type": "string"
          }
        }
      }
    },
    "steps": {
      "type": "array",
      "items": {
        "$ref": "#/$defs/step"
      }
    },
    "shard": {
      "description": "A sharded run only (run --shard I/N): which shard it is, and what planrun merge needs to evaluate the validate phase and output over every shard's data.",
      "type": "object",
      "required": ["index", "count", "plan", "nodes", "inputs", "ending", "data"],
      "additionalProperties": false,
      "properties": {
        "index": { "type": "integer", "minimum": 0 },
        "count": { "type": "integer", "minimum": 1 },
        "plan": { "type": "string", "description": "the plan's path as the run was given it" },
        "nodes": { "type": "array", "items": { "type": "string" }, "description": "this shard's nodes, in inventory order" },
        "inputs": { "type": "object" },
        "ending": {
          "oneOf": [
            { "enum": ["finished", "deadline", "interrupted"] },
            { "type": "object", "required": ["failed"], "additionalProperties": false, "properties": { "failed": { "type": "string" } } }
          ]
        },
        "data": {
          "type": "object",
          "required": ["nodes", "steps", "vars", "asserts_held", "asserts_counted"],
          "properties": {
            "nodes": { "type": "object" },
            "steps": { "type": "object" },
            "vars": { "type": "object" },
            "asserts_held": { "type": "integer", "minimum": 0 },
            "asserts_counted": { "type": "integer", "minimum": 0 }
          }
        }
      }
    }
  },
  "additionalProperties": true,
  "$defs": {
    "issue": {
      "type": "object",
      "required": [
        "kind",
        "node",
        "step",
        "phase",
        "message",
        "exit_code",
        "stderr_tail",
        "hint",
        "recovered"
      ],
      "additionalProperties": false,
      "properties": {
        "kind": {
          "type": "string",
          "description": "connection, authentication, host_key, unreachable, timeout, permission, command, validation, service_offline, git_conflict, partial, interrupted, or a kind named by the plan's errors: rules",
          "minLength": 1
        },
        "node": {
          "type": [
            "string",
            "null"
          ]
        },
        "step": {
          "type": [
            "string",
            "null"
          ]
        },
        "phase": {
          "enum": [
            "analyze",
            "plan",
            "execute",
            "validate",
            "finally",
            null
          ]
        },
        "message": {
          "type": "string"
        },
        "exit_code": {
          "type": [
            "integer",
            "null"
          ]
        },
        "stderr_tail": {
          "type": [
            "string",
            "null"
          ]
        },
        "stdout_tail": {
          "type": "string",
          "description": "the last lines of a failed command's stdout (many tools report their error there); absent when it printed nothing"
        },
        "hint": {
          "type": [
            "string",
            "null"
          ]
        },
        "recovered": {
          "type": "boolean"
        }
      }
    },
    "step": {
      "type": "object",
      "required": [
        "id",
        "phase",
        "node",
        "status",
        "attempts",
        "exit_code",
        "duration",
        "changed"
      ],
      "additionalProperties": false,
      "properties": {
        "id": {
          "type": "string"
        },
        "phase": {
          "enum": [
            "analyze",
            "plan",
            "execute",
            "validate",
            "finally"
          ]
        },
        "node": {
          "type": [
            "string",
            "null"
          ]
        },
        "status": {
          "enum": [
            "succeeded",
            "failed",
            "recovered",
            "skipped",
            "not_run",
            "cancelled",
            "planned"
          ]
        },
        "attempts": {
          "type": "integer",
          "minimum": 0
        },
        "exit_code": {
          "type": [
            "integer",
            "null"
          ]
        },
        "duration": {
          "type": "number",
          "minimum": 0,
          "description": "Seconds at work on the node, without time spent waiting for a max_parallel slot."
        },
        "queued": {
          "type": "number",
          "minimum": 0,
          "description": "Seconds the step's commands waited for a max_parallel slot; absent when under a millisecond."
        },
        "reason": {
          "type": "string"
        },
        "answered_by": {
          "type": "string"
        },
        "command": {
          "type": "string"
        },
        "timeout": {
          "type": "number"
        },
        "retries": {
          "type": "integer",
          "minimum": 0
        },
        "fallbacks": {
          "type": "array",
          "items": {
            "type": "string"
          }
        },
        "fallback_node": {
          "type": "string"
        },
        "cache": {
          "type": "number",
          "description": "dry-run only: the step's cache: window in seconds"
        },
        "cached": {
          "const": true,
          "description": "the result was reused from the run store (cache:) instead of running the command"
        },
        "cache_age": {
          "type": "number",
          "minimum": 0,
          "description": "seconds since the reused result was recorded"
        },
        "changed": {
          "type": "boolean",
          "description": "The step changed something: a command that succeeded (unless changed_when says otherwise), a copy that wrote or adjusted its file, a fetch that brought new bytes."
        },
        "diff": {
          "type": "string",
          "description": "--diff: a unified diff of what a copy changes, or would change, on this node; secrets masked."
        },
        "item": {
          "description": "in a for_each loop: the item this record is for (any JSON value)"
        },
        "batch": {
          "type": "integer",
          "minimum": 1,
          "description": "in a group's rollout of several batches: the node's batch, from 1"
        },
        "on_failure": {
          "type": "array",
          "items": {
            "type": "string"
          },
          "description": "dry-run only: the step's on_failure step ids"
        }
      }
    }
  }
}
"""#

    /// The schema as a value; the text is checked by a test, so it always parses.
    static let value: Value = (try? Value.parseJSON(text)) ?? .object(Value.Object())
}
