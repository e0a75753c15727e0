import DanVanApp
import DanVanCore
import DanVanTestSupport
import Foundation
import Testing
import Vapor

/// `/metrics` (issue 16, item 7): who may read it, and what it counts.
@Suite("Metrics")
struct MetricsTests {
    @Test("address ranges: IPv4 and IPv6 prefixes, the machine itself by default, bad entries ignored")
    func ranges() {
        let local = MetricsAccess()
        #expect(local.allows(address: "127.0.0.1"))
        #expect(local.allows(address: "::1"))
        #expect(!local.allows(address: "127.0.0.2"))
        #expect(!local.allows(address: "10.0.0.1"))
        #expect(!local.allows(address: ""))
        let office = MetricsAccess(allow: "10.0.0.0/8, 192.168.4.0/22, fd00::/8, nonsense, 1.2.3.4/40")
        #expect(office.allows(address: "10.200.3.4"))
        #expect(office.allows(address: "192.168.7.255"))
        #expect(!office.allows(address: "192.168.8.1"))
        #expect(office.allows(address: "fd12:3456::1"))
        #expect(!office.allows(address: "fe80::1"))
        #expect(!office.allows(address: "1.2.3.4"))
    }

    @Test("only a bearer of the token (or an allowed address) reads it; requests are counted by route pattern and status, jobs and unmatched paths too")
    func scrape() async throws {
        try await withTestApp(configure: { $0.metricsAccess = MetricsAccess(allow: "", token: "mo-cua-di") }) { app in
            try await TestProvince.load(app)
            let client = WebClient(app)
            // setup: traffic
            try await client.get("/login")
            try await client.get("/login")
            try await client.login("admin")
            let unit = try await unit("P-HL", on: app)
            try await client.get("/units/\(unit.id!.uuidString)")
            try await client.get("/khong-co-trang-nay")
            // act
            let anonymous = try await client.get("/metrics")
            let wrong = try await client.get("/metrics", headers: ["Authorization": "Bearer sai-roi"])
            let scrape = try await client.get("/metrics", headers: ["Authorization": "Bearer mo-cua-di"])
            // check
            #expect(anonymous.status == .notFound)
            #expect(wrong.status == .notFound)
            #expect(scrape.status == .ok)
            #expect(scrape.headers.contentType?.description.hasPrefix("text/plain") == true)
            let text = scrape.body
            #expect(text.contains("danvan_http_requests_total{route=\"/login\",method=\"GET\",status=\"200\"} 3"))
            #expect(text.contains("route=\"/units/:unitID\",method=\"GET\",status=\"200\""))
            #expect(text.contains("danvan_http_requests_total{route=\"unmatched\",method=\"GET\",status=\"404\"} 1"))
            #expect(text.contains("danvan_http_request_duration_seconds_bucket{route=\"/login\",method=\"GET\""))
            // A job run is counted with its result.
            app.metrics.job("send-reminders", failed: true, nanoseconds: 2_000_000)
            #expect(app.metrics.exposition().contains("danvan_job_runs_total{job=\"send-reminders\",result=\"failed\"} 1"))
        }
    }
}
