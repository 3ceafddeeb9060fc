import Foundation

/// Looks for live processes on this machine by their arguments, to prove that nothing was left running.
///
/// Zombies are skipped: their command line is empty, and they no longer run anything.
public enum ProcessProbe {
    /// A `sleep` duration that names one test in this test process (`300.<n><pid>`), so runs of the suite
    /// in other processes on the same machine are not mistaken for survivors.
    public static func marker(_ n: Int) -> String {
        "300.\(n)\(getpid())"
    }

    /// Pids of live processes with `argument` as one of their exact arguments (say `300.123` of `sleep 300.123`).
    public static func pids(withArgument argument: String) -> [Int32] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return names.compactMap { name -> Int32? in
            guard let pid = Int32(name), pid != getpid() else { return nil }
            guard let data = FileManager.default.contents(atPath: "/proc/\(name)/cmdline"), !data.isEmpty else {
                return nil
            }
            let arguments = data.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
            return arguments.contains(argument) ? pid : nil
        }
    }

    /// Pids of processes (zombies included) whose `/proc/PID/stat` fields after the command name — state, ppid,
    /// pgrp, session, … — satisfy `match`.
    public static func pids(whereStat match: ([Substring]) -> Bool) -> [Int32] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return names.compactMap { name -> Int32? in
            guard let pid = Int32(name), let stat = try? String(contentsOfFile: "/proc/\(name)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")")
            else { return nil }
            return match(stat[stat.index(after: close)...].split(separator: " ")) ? pid : nil
        }
    }

    /// The pid of the ssh master listening on `controlPath`, as `ssh -O check` tells it.
    public static func sshMaster(controlPath: String) async throws -> Int32? {
        let check = try await ChildProcess("/usr/bin/ssh", ["-o", "ControlPath=\(controlPath)", "-O", "check", "planrun-test"])
            .wait(timeout: 10)
        // "Master running (pid=1234)"
        guard let range = check.stderr.range(of: #"pid=[0-9]+"#, options: .regularExpression) else { return nil }
        return Int32(check.stderr[range].dropFirst(4))
    }

    /// Polls `condition` every 50 ms until it holds or `timeout` seconds pass; returns whether it held.
    public static func wait(upTo timeout: Double, until condition: () -> Bool) async -> Bool {
        let clock = ContinuousClock()
        let end = clock.now + .seconds(timeout)
        while clock.now < end {
            if condition() { return true }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return condition()
    }
}
