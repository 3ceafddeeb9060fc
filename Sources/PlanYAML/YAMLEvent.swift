import CLibYAML

/// The parts of one libyaml event the composer reads, as a view: its text points into memory someone else
/// owns (libyaml's event until it is deleted, or a batch of `EventPipeline`), valid while `Composition`
/// handles it.
struct YAMLEvent {
    var type: yaml_event_type_t
    var start: yaml_mark_t
    var end: yaml_mark_t
    var style: yaml_scalar_style_t
    /// A scalar's text.
    var value: UnsafeBufferPointer<UInt8>
    /// NUL-terminated, as libyaml gives them; nil when absent.
    var tag: UnsafePointer<UInt8>?
    var anchor: UnsafePointer<UInt8>?

    /// A view of libyaml's own event.
    @inline(__always)
    init(_ event: borrowing yaml_event_t) {
        type = event.type
        start = event.start_mark
        end = event.end_mark
        style = YAML_ANY_SCALAR_STYLE
        value = UnsafeBufferPointer(start: nil, count: 0)
        tag = nil
        anchor = nil
        switch event.type {
        case YAML_SCALAR_EVENT:
            let scalar = event.data.scalar
            style = scalar.style
            value = UnsafeBufferPointer(start: scalar.value, count: Int(scalar.length))
            tag = UnsafePointer(scalar.tag)
            anchor = UnsafePointer(scalar.anchor)
        case YAML_SEQUENCE_START_EVENT:
            tag = UnsafePointer(event.data.sequence_start.tag)
            anchor = UnsafePointer(event.data.sequence_start.anchor)
        case YAML_MAPPING_START_EVENT:
            tag = UnsafePointer(event.data.mapping_start.tag)
            anchor = UnsafePointer(event.data.mapping_start.anchor)
        case YAML_ALIAS_EVENT:
            anchor = UnsafePointer(event.data.alias.anchor)
        default:
            break
        }
    }

    init(
        type: yaml_event_type_t, start: yaml_mark_t, end: yaml_mark_t, style: yaml_scalar_style_t,
        value: UnsafeBufferPointer<UInt8>, tag: UnsafePointer<UInt8>?, anchor: UnsafePointer<UInt8>?
    ) {
        self.type = type
        self.start = start
        self.end = end
        self.style = style
        self.value = value
        self.tag = tag
        self.anchor = anchor
    }
}
