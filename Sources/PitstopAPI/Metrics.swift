import Foundation
import HTTPServer
import Postgres
import Synchronization

/// Request counters and latency histograms by route, rendered in Prometheus' text format with
/// the database pool's gauges.
public final class Metrics: Sendable {
    static let buckets: [Double] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5]

    private struct RouteKey: Hashable {
        var method: String
        var route: String
    }

    private struct Histogram {
        var counts = [Int](repeating: 0, count: Metrics.buckets.count)
        var sum = 0.0
        var count = 0
        var byStatus: [Int: Int] = [:]
    }

    private let state = Mutex<[RouteKey: Histogram]>([:])

    public init() {}

    public func record(_ request: HTTPServer.CompletedRequest) {
        let seconds = Double(request.duration.components.seconds) + Double(request.duration.components.attoseconds) / 1e18
        // Unmatched paths share one label so scanners cannot blow up the series count.
        let key = RouteKey(method: request.route == nil ? "other" : request.method, route: request.route ?? "unmatched")
        state.withLock { table in
            var histogram = table[key] ?? Histogram()
            if let bucket = Self.buckets.firstIndex(where: { seconds <= $0 }) { histogram.counts[bucket] += 1 }
            histogram.sum += seconds
            histogram.count += 1
            histogram.byStatus[request.status, default: 0] += 1
            table[key] = histogram
        }
    }

    public func render(pool: ConnectionPool.Statistics) -> String {
        let table = state.withLock { $0 }
        var out = "# HELP pitstop_http_requests_total HTTP requests by route, method and status.\n"
        out += "# TYPE pitstop_http_requests_total counter\n"
        let keys = table.keys.sorted { ($0.route, $0.method) < ($1.route, $1.method) }
        for key in keys {
            for (status, count) in table[key]!.byStatus.sorted(by: { $0.key < $1.key }) {
                out += "pitstop_http_requests_total{method=\"\(key.method)\",route=\"\(key.route)\",status=\"\(status)\"} \(count)\n"
            }
        }
        out += "# HELP pitstop_http_request_duration_seconds Time from request start to response.\n"
        out += "# TYPE pitstop_http_request_duration_seconds histogram\n"
        for key in keys {
            let histogram = table[key]!
            let labels = "method=\"\(key.method)\",route=\"\(key.route)\""
            var cumulative = 0
            for (index, bound) in Self.buckets.enumerated() {
                cumulative += histogram.counts[index]
                out += "pitstop_http_request_duration_seconds_bucket{\(labels),le=\"\(bound)\"} \(cumulative)\n"
            }
            out += "pitstop_http_request_duration_seconds_bucket{\(labels),le=\"+Inf\"} \(histogram.count)\n"
            out += "pitstop_http_request_duration_seconds_sum{\(labels)} \(histogram.sum)\n"
            out += "pitstop_http_request_duration_seconds_count{\(labels)} \(histogram.count)\n"
        }
        out += "# HELP pitstop_db_pool_connections Database pool connections by state.\n"
        out += "# TYPE pitstop_db_pool_connections gauge\n"
        out += "pitstop_db_pool_connections{state=\"in_use\"} \(pool.inUse)\n"
        out += "pitstop_db_pool_connections{state=\"idle\"} \(pool.idle)\n"
        out += "# HELP pitstop_db_pool_waiting Requests waiting for a database connection.\n"
        out += "# TYPE pitstop_db_pool_waiting gauge\n"
        out += "pitstop_db_pool_waiting \(pool.waiting)\n"
        out += "# HELP pitstop_db_pool_size Maximum database connections.\n"
        out += "# TYPE pitstop_db_pool_size gauge\n"
        out += "pitstop_db_pool_size \(pool.size)\n"
        return out
    }
}
