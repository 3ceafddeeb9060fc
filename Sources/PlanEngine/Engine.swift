@_exported import PlanCore
