import PlanCore
@testable import PlanEngine
import Testing

/// `nodes` and `steps.ID` list nodes in inventory order whichever answered first, so expressions over them
/// (`keys`, `select`, `pluck`) give the same result every run; a node the inventory does not rank goes last.
struct RunStateOrderTests {
    /// More nodes than `Value.Object.indexedFrom`, so both the small and the indexed object are walked.
    let inventory = (1...12).map { "node-\($0 < 10 ? "0" : "")\($0)" }
    /// An answer order with nodes early, late and in between.
    var answers: [String] { [7, 0, 11, 3, 1, 10, 2, 9, 4, 8, 5, 6].map { inventory[$0] } + ["stranger"] }

    @Test func stepResultsAndNodesStayInInventoryOrder() async {
        let state = RunState(inputs: Value.Object(), nodeOrder: inventory)
        for node in answers {
            await state.setStepResult("check", node: node, Value.Object([("ok", .bool(true))]))
            await state.setCaptures(Value.Object([("seen", .string(node))]), on: node)
            await state.setStepResult("group.inner", node: node, Value.Object([("ok", .bool(true))]))
        }
        // An answer again (a retry, a later item) keeps its place and takes the new value.
        await state.setStepResult("check", node: inventory[4], Value.Object([("ok", .bool(false))]))
        let scope = await state.scope()
        let steps = scope["steps"]?.objectValue
        let check = steps?["check"]?.objectValue
        #expect(check?.keys == inventory + ["stranger"])
        #expect(check?[inventory[4]] == .object(Value.Object([("ok", .bool(false))])))
        #expect(steps?["group"]?.objectValue?["inner"]?.objectValue?.keys == inventory + ["stranger"])
        #expect(scope["nodes"]?.objectValue?.keys == inventory + ["stranger"])
        #expect(scope["nodes"]?.objectValue?["node-03"]?.objectValue?["seen"] == .string("node-03"))
    }

    @Test func loopItemsPlaceTheirNodeInInventoryOrderToo() async {
        let state = RunState(inputs: Value.Object(), nodeOrder: inventory)
        for node in answers.reversed() {
            for index in [1, 0] {
                await state.setItem("each", node: node, index: index, count: 2, result: Value.Object([("ok", .bool(true))]))
            }
        }
        let each = await state.scope()["steps"]?.objectValue?["each"]?.objectValue
        #expect(each?.keys == inventory + ["stranger"])
        guard case .array(let items)? = each?["node-05"]?.objectValue?["items"] else {
            Issue.record("no items for node-05")
            return
        }
        #expect(items.count == 2)
    }

    @Test func anObjectTakesAKeyAtAnyPlaceAndStillFindsEveryKey() {
        var object = Value.Object()
        var expected: [String] = []
        for number in 0..<20 {
            let key = "k\(number)"
            let index = number % 3 == 0 ? 0 : object.count / 2
            object.insert(.int(number), forKey: key, at: index)
            expected.insert(key, at: index)
        }
        #expect(object.keys == expected)
        for number in 0..<20 { #expect(object["k\(number)"] == .int(number)) }
        object.update("k3", default: .null) { $0 = .int(-3) }
        object.update("new", default: .int(0)) { if case .int(let n) = $0 { $0 = .int(n + 1) } }
        #expect(object["k3"] == .int(-3) && object["new"] == .int(1) && object.keys.last == "new")
    }
}
