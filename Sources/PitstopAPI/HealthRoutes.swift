import HTTPServer
import PitstopStore

extension APIApplication {
    var healthRoutes: [Router.Route] {
        [
            // Alive: the process answers. No database, so a database outage does not get the
            // process restarted by its supervisor.
            Router.route("GET", "/healthz", inline: true) { _ in try .json(["status": "ok"]) },
            // Ready: the database answers and its schema is the one this build knows.
            Router.route("GET", "/readyz") { [database] _ in
                do {
                    try Schema.check(database.pool)
                    return try .json(ReadyBody(status: "ready", schemaVersion: Schema.version))
                } catch let mismatch as Schema.Mismatch {
                    throw Problem.serviceUnavailable(retryAfter: 5, mismatch.description)
                } catch {
                    throw Problem.serviceUnavailable(retryAfter: 5, "the database is unreachable")
                }
            },
            // The managers' dashboard: a static page that reads the reports with the key typed in.
            Router.route("GET", "/dashboard", inline: true) { _ in DashboardPage.response() },
            Router.route("GET", "/metrics", inline: true) { [metrics, database] _ in
                .text(metrics.render(pool: database.pool.statistics), contentType: "text/plain; version=0.0.4; charset=utf-8")
            },
        ]
    }

    struct ReadyBody: Encodable {
        var status: String
        var schemaVersion: Int
    }
}
