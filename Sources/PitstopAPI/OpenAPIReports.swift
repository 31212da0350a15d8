import Foundation
import PitstopCore
import PitstopStore

/// The OpenAPI description of reports.
extension OpenAPIDocument {
    static var reportPaths: Object {
        [
            "/v1/reports/{name}": [
                "get": operation("getReport",
                                 "A report from the worker's rollups (admin, dispatcher, readonly, integration), by day, week, month, "
                                     + "shop, channel or type, over days in the tenant's zone: `orders` (created, completed, cancelled), `sla` "
                                     + "(targets met in time and breached, on the day it happened, and the compliance rate), `satisfaction` "
                                     + "(ratings, average, distribution, response rate), `first_time_fix` (completed orders not reopened "
                                     + "for rework), `parts` (consumed quantity and cost; by time or shop), `workload` (per engineer: "
                                     + "assigned, completed, declined, transfers asked for, hours on site, open now; by time or engineer), "
                                     + "`times` (first-response, arrival and resolution minutes: average, median, p90), `backlog` (orders "
                                     + "open now by status; by shop, the default, channel or type; the range does not apply). "
                                     + "Send `Accept: text/csv` for CSV (UTF-8 with BOM, a "
                                     + "header row); NAME.svg draws it",
                                 tags: ["reports"],
                                 parameters: [
                                     ["name": "name", "in": "path", "required": true,
                                      "schema": ["type": "string", "enum": ReportName.allCases.flatMap { [$0.rawValue, $0.rawValue + ".svg"] }] as Object,
                                      "description": "A report, or NAME.svg for it as a chart"],
                                     query("from", "first day, YYYY-MM-DD (default: 29 days before to)", dateQuery),
                                     query("to", "last day, YYYY-MM-DD (default: today); at most 366 days in all", dateQuery),
                                     ["name": "group_by", "in": "query",
                                      "schema": ["type": "string", "enum": ReportRepository.Grouping.allCases.map(\.rawValue), "default": "day"]
                                          as Object, "description": "day by default; shop for backlog"],
                                     query("shop", "one shop's orders only", uuidQuery),
                                     ["name": "chart", "in": "query", "description": "For NAME.svg: line (default over time) or bar (default by shop, channel or type)",
                                      "schema": ["type": "string", "enum": SVGChart.Kind.allCases.map(\.rawValue)] as Object],
                                 ],
                                 responses: ["200": ["description": "The report", "content": [
                                     "application/json": ["schema": ref("ReportTable")] as Object,
                                     "text/csv": ["schema": ["type": "string"]] as Object,
                                     "image/svg+xml": ["schema": ["type": "string"]] as Object,
                                 ] as Object]]),
            ] as Object,
        ]
    }

    static var reportSchemas: Object {
        let row: Object = [
            "type": "object", "required": ["key"],
            "properties": ["key": ["type": "string", "description": "The day, week's Monday, month's first day, shop or type id, or channel"] as Object,
                           "label": ["type": "string", "description": "The shop's or type's name"] as Object] as Object,
            "additionalProperties": ["type": ["number", "null"]] as Object,
            "description": "The report's columns: orders — created, completed, cancelled; sla — for first_response, arrival and "
                + "resolution: _met, _breached, _compliance (percent, null with nothing due); satisfaction — rated, average, score_1 … "
                + "score_5, completed, response_rate (percent of completed orders rated); first_time_fix — completed, reworked, "
                + "first_time_fix_rate (percent); parts — quantity, cost; workload — assigned, completed, declined, transfer_requests, "
                + "hours_on_site, open_now (by engineer); times — for first_response, arrival and resolution: _count, _average, _median, "
                + "_p90 (minutes, business time where the order's SLA policy counts it so); backlog — a column for each open status (new, "
                + "assigned, accepted, diagnosing, awaiting_parts, repairing, quality_check, awaiting_acceptance, reopened) and open",
        ]
        return [
            "ReportRow": row,
            "ReportTable": [
                "type": "object", "required": ["report", "from", "to", "group_by", "rows", "totals"],
                "properties": ["report": ["type": "string"], "from": ["type": "string", "format": "date"] as Object,
                               "to": ["type": "string", "format": "date"] as Object, "group_by": ["type": "string"],
                               "rows": ["type": "array", "items": ref("ReportRow")] as Object,
                               "totals": ["type": "object", "additionalProperties": ["type": ["number", "null"]] as Object] as Object] as Object,
            ] as Object,
        ]
    }
}
