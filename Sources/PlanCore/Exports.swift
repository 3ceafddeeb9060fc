// Diagnostics and source ranges are part of PlanCore's API: callers need not import PlanYAML.
@_exported import PlanYAML
