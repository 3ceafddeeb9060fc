/// What a step sees beyond the run's state, and how it may run: the node a group walks, a loop's item, the
/// inputs of a used step file, and which stops it outlives.
///
/// A top-level step runs in the empty frame; groups, loops, the validate phase and `finally:` hand down
/// frames of their own.
struct StepFrame: Sendable {
    /// Which stops of the run a step still starts after.
    enum Tolerance: Sendable {
        /// Any stop: a failed step, the deadline, an interrupt.
        case none
        /// A failed step (the validate phase reports post-conditions after a failed execute phase); not the
        /// deadline or an interrupt.
        case failure
        /// Every stop (`finally:`): it runs whatever happened before.
        case everything
    }

    /// The node a group walks: its steps run there and nowhere else.
    var node: NodeDeclaration? = nil
    /// Names added to the scope: `item` and `item_index`, and `inputs` inside a used step file.
    var bindings = Value.Object()
    /// The loop's item and its place, shown in the step's record.
    var item: Value? = nil
    var itemIndex: Int? = nil
    /// How many items the loop has, so captures collect into a list of that length.
    var itemCount = 0
    /// The rollout batch (1-based) the node is in, when the group has more than one.
    var batch: Int? = nil
    /// Inside a group's walk of a node a failure ends that node's walk, and the group (its failure budget),
    /// not the step, decides whether the run goes on.
    var inWalk = false
    var tolerance = Tolerance.none
    /// Inside a used step file: its group's id, so that `steps.ID` finds the file's own steps by their
    /// unprefixed ids.
    var stepsRoot: String? = nil

    /// The frame for one item of a loop.
    func with(item: Value, index: Int, count: Int) -> StepFrame {
        var frame = self
        frame.bindings["item"] = item
        frame.bindings["item_index"] = .int(index)
        frame.item = item
        frame.itemIndex = index
        frame.itemCount = count
        return frame
    }
}
