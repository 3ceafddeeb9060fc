import Foundation
@testable import PlanEngine
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A command's stop request: its pipe exists only once a watch with no end polls it.
struct StopRequestTests {
    @Test func aStopRequestedBeforeThePipeExistsIsSeenAtOnce() {
        let stop = StopRequest()
        stop.request()
        let reader = stop.pollable()
        #expect(reader >= 0)
        var entry = pollfd(fd: reader, events: Int16(POLLIN), revents: 0)
        #expect(poll(&entry, 1, 0) == 1)
        #expect(stop.pollable() == reader)
        stop.close()
    }

    @Test func aStopRequestedLaterWakesThePoll() {
        let stop = StopRequest()
        let reader = stop.pollable()
        var entry = pollfd(fd: reader, events: Int16(POLLIN), revents: 0)
        #expect(poll(&entry, 1, 0) == 0)
        stop.request()
        #expect(poll(&entry, 1, 0) == 1)
        stop.close()
        #expect(stop.pollable() == -1)
    }

    /// Most commands end within the first, short watch, which reads the flag: they open no pipe (it was a
    /// pipe and two closes per command). Counted in planrun's open descriptors, with room for other tests'.
    @Test func aStopRequestNeverPolledHoldsNoDescriptor() throws {
        let before = try FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count
        let stops = (0..<200).map { _ in StopRequest() }
        for stop in stops.prefix(100) { stop.request() }
        let after = try FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count
        #expect(after - before < 100)
        for stop in stops { stop.close() }
    }
}
