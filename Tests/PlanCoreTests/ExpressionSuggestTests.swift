import PlanCore
import Testing

@Suite struct ExpressionSuggestTests {
    @Test(arguments: [
        ("timout", ["timeout", "retries", "delay"], "timeout"),
        ("tiemout", ["timeout", "retries"], "timeout"),
        ("Timeout", ["timeout"], "timeout"),
        ("retires", ["timeout", "retries"], "retries"),
        ("genisis", ["genesis", "follower"], "genesis"),
        ("folower", ["genesis", "follower"], "follower"),
        ("fallback_nod", ["fallback", "fallback_node"], "fallback_node"),
        ("x", ["y", "xy", "abc"], "y"),
    ] as [(String, [String], String)])
    func suggestsTheClosest(_ name: String, _ candidates: [String], _ expected: String) {
        #expect(Suggest.closest(to: name, among: candidates) == expected)
    }

    @Test(arguments: [
        ("zzz", ["timeout", "retries"]), ("ab", ["cd", "xyz"]), ("timeout", ["timeout"]), ("anything", [String]()),
        ("deadline", ["default_timeout", "max_timeout"]),
    ] as [(String, [String])])
    func suggestsNothingFarAway(_ name: String, _ candidates: [String]) {
        #expect(Suggest.closest(to: name, among: candidates) == nil)
    }

    @Test func tiesGoToTheCaseExactThenTheEarlierCandidate() {
        #expect(Suggest.closest(to: "Ab", among: ["AB", "ab"]) == "AB")
        #expect(Suggest.closest(to: "ab", among: ["aB", "ab1"]) == "aB")
        #expect(Suggest.closest(to: "cat", among: ["bat", "hat"]) == "bat")
    }

    @Test func distanceCountsTranspositionsAsOneEdit() {
        #expect(Suggest.distance("", "abc") == 3)
        #expect(Suggest.distance("abc", "abc") == 0)
        #expect(Suggest.distance("abc", "acb") == 1)
        #expect(Suggest.distance("kitten", "sitting") == 3)
        #expect(Suggest.distance("ä", "a") == 1)
    }
}
