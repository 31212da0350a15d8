import Foundation
import PitstopTesting
import Testing

@Suite struct WorkOrderTypeAPITests {
    static let accident = #"""
        {"code":"accident_repair","name":"事故维修","template":{"fields":[
          {"key":"insurer","label":"保险公司","kind":"text","required":true,"max_length":50},
          {"key":"severity","label":"Severity","kind":"single_select","required":false,"options":["minor","major"]}]}}
        """#

    @Test func typesCarryTheirTemplateAndCanBeChanged() throws {
        let api = try TestAPI()
        defer { api.stop() }
        let tenant = try api.makeTenant()
        let created = try api.client.send("POST", "/v1/work-order-types", headers: bearer(tenant.adminKey), json: Self.accident)
        #expect(created.status == 201, "\(created.text)")
        let id = try #require(created.json["id"] as? String)
        let fieldsOut = ((created.json["template"] as? [String: Any])?["fields"] as? [[String: Any]]) ?? []
        #expect(fieldsOut.map { $0["key"] as? String } == ["insurer", "severity"])
        #expect(fieldsOut.first?["max_length"] as? Int == 50)

        let duplicate = try api.client.send("POST", "/v1/work-order-types", headers: bearer(tenant.adminKey), json: Self.accident)
        #expect(duplicate.status == 409)
        #expect(duplicate.problemFields == ["code"])

        let retired = try api.client.send("PATCH", "/v1/work-order-types/\(id)", headers: bearer(tenant.adminKey, [("If-Match", "\"1\"")]),
                                          json: #"{"active":false,"template":{"fields":[]}}"#)
        #expect(retired.status == 200, "\(retired.text)")
        #expect(retired.json["active"] as? Bool == false)
        #expect(((retired.json["template"] as? [String: Any])?["fields"] as? [Any])?.isEmpty == true)
        #expect(retired.json["code"] as? String == "accident_repair")
    }

    @Test func badTemplatesNameTheFieldDefinition() throws {
        let api = try TestAPI()
        defer { api.stop() }
        let tenant = try api.makeTenant()
        let cases: [(String, Int, String)] = [
            (#"{"name":"No code"}"#, 422, "code"),
            (#"{"code":"Bad Code","name":"x"}"#, 422, "code"),
            (#"{"code":"x","name":"x","template":{"fields":[{"key":"a","label":"A","kind":"single_select","required":false}]}}"#, 422, "template.fields[0].options"),
            (#"{"code":"x","name":"x","template":{"fields":[{"key":"a","label":"A","kind":"text","required":false},{"key":"a","label":"B","kind":"text","required":false}]}}"#, 422, "template.fields[1].key"),
            (#"{"code":"x","name":"x","template":{"fields":[{"key":"a","label":"A","kind":"colour","required":false}]}}"#, 400, "template.fields[0].kind"),
            (#"{"code":"x","name":"x","template":{"fields":[{"key":"a","label":"A","kind":"text"}]}}"#, 422, "template.fields[0].required"),
        ]
        for (body, status, field) in cases {
            let response = try api.client.send("POST", "/v1/work-order-types", headers: bearer(tenant.adminKey), json: body)
            #expect(response.status == status, "\(body): \(response.text)")
            #expect(response.problemFields.contains(field), "\(body): \(response.text)")
        }
    }

    @Test func typesStayInsideTheirTenant() throws {
        let api = try TestAPI()
        defer { api.stop() }
        let a = try api.makeTenant()
        let b = try api.makeTenant()
        let created = try api.client.send("POST", "/v1/work-order-types", headers: bearer(a.adminKey), json: Self.accident)
        let id = try #require(created.json["id"] as? String)
        #expect(try api.get("/v1/work-order-types/\(id)", key: b.adminKey).status == 404)
        #expect(!(try api.get("/v1/work-order-types", key: b.adminKey).text.contains(id)))
        #expect(try api.client.send("PATCH", "/v1/work-order-types/\(id)", headers: bearer(b.adminKey, [("If-Match", "\"1\"")]),
                                    json: #"{"active":false}"#).status == 404)
        // The same code is free in another tenant; a dispatcher may read types but not write them.
        #expect(try api.client.send("POST", "/v1/work-order-types", headers: bearer(b.adminKey), json: Self.accident).status == 201)
        let desk = try api.makeKey(adminKey: a.adminKey, role: .dispatcher)
        #expect(try api.get("/v1/work-order-types/\(id)", key: desk.secret).status == 200)
        #expect(try api.client.send("POST", "/v1/work-order-types", headers: bearer(desk.secret), json: Self.accident).status == 403)
    }
}
