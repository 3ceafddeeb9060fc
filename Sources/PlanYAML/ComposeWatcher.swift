/// Work a caller does on a large document while the composer is still reading it.
///
/// On a large input libyaml's parsing, on the second thread, is the slower half of composing, so the composer
/// spends much of its time waiting for the next batch of events. A watcher is offered the finished items of
/// the sequences it watches, and is called back whenever the composer would wait: what it does then (such as
/// decoding a plan's steps) is off the critical path. Used only when the input is parsed on a second thread.
/// Not offered: an alias (it stands for a node elsewhere) and a plain scalar without an anchor (built straight
/// into its list, never handled on its own).
public protocol ComposeWatcher: AnyObject {
    /// The keys of the mappings that lead, from the root, to the watched sequences; nil for a key that may be
    /// anything. A plan's step lists are `["operations", nil, nil]`: `operations: {NAME: {PHASE: [steps]}}`.
    var path: [String?] { get }
    /// A finished item of a watched sequence, with the keys that led to it (as many as `path` has) and where
    /// its sequence starts (the sequence node's `range.start`, which tells apart two lists at one path).
    func offer(_ item: YAMLNode, keys: [String], list: SourceLocation)
    /// Does one small piece of the offered work and says whether there was any; the composer asks again until
    /// there is none or its next batch of events is ready.
    func workWhileWaiting() -> Bool
}
