import Foundation
import Logging
import PitstopAPI
import PitstopJobs
import PitstopCore
import PitstopTesting
import Testing

/// A client copying the document: every operation's example body, sent as written (with the ids
/// of records this test made in place of the examples' ids), must be accepted, and every answer
/// must be what the document declares for its status, checked against the schema. The examples
/// subscribe a webhook, so the walk runs with the tests that relay and send (`SweepingTests`)
/// and delivers what it caused before it ends.
extension SweepingTests {
    @Suite struct OpenAPIExampleTests {
        /// The document as served, with what the walk needs to look operations up by id.
        final class Walk {
            let api: TestAPI
            let paths: [String: JSONValue]
            let validator: SchemaValidator
            /// The examples' fixed ids, by name (`shop`), and the real ids put in their place.
            let exampleIDs = APIApplication.exampleIDs
            var realIDs: [String: String] = [:]
            /// Values in the examples and the walk's own in their place: addresses (receivers on
            /// 127.0.0.1 stand in for them) and the hash of the extra work the customer is shown.
            var realValues: [String: String] = [:]
            var adminKey = ""
            /// Operations whose examples were sent and answered as documented.
            var sent: Set<String> = []
            var problems: [String] = []

            init(_ api: TestAPI) throws {
                self.api = api
                let document = try JSONValue.object(parsing: try api.get("/v1/openapi.json", key: nil).text)
                guard case .object(let paths)? = document["paths"] else { throw RawHTTPError("the document has no paths") }
                self.paths = paths
                validator = SchemaValidator(document: document)
            }

            /// The operation named `id`: its method, path template and description.
            func operation(_ id: String) throws -> (method: String, template: String, operation: [String: JSONValue]) {
                for (template, methods) in paths {
                    guard case .object(let methods) = methods else { continue }
                    for (method, operation) in methods {
                        if case .object(let operation) = operation, operation["operationId"] == .string(id) {
                            return (method.uppercased(), template, operation)
                        }
                    }
                }
                throw RawHTTPError("no operation \(id)")
            }

            /// Every operation whose request body has an example.
            var operationsWithExamples: Set<String> {
                var found = Set<String>()
                for case .object(let methods) in paths.values {
                    for case .object(let operation) in methods.values {
                        guard case .object(let body)? = operation["requestBody"], case .object(let content)? = body["content"],
                              case .string(let id)? = operation["operationId"] else { continue }
                        for case .object(let media) in content.values where media["example"] != nil { found.insert(id) }
                    }
                }
                return found
            }

            /// Sends the example of `id` to `path` and checks the answer; returns it. A required
            /// If-Match carries the ETag of the record as read just before.
            @discardableResult
            func send(_ id: String, _ path: String, key: String?, query: String = "") throws -> RawHTTPClient.Response {
                let (method, template, operation) = try self.operation(id)
                #expect(Self.matches(path, template), "\(id): \(path) is not a path of \(template)")
                guard case .object(let body)? = operation["requestBody"], case .object(let content)? = body["content"],
                      // JSON where the operation takes it too (the rating also takes the page's form).
                      let (mediaType, mediaValue) = content.first(where: { $0.key == "application/json" }) ?? content.first,
                      case .object(let media) = mediaValue, let example = media["example"] else {
                    throw RawHTTPError("\(id) has no example body")
                }
                if mediaType == "application/json", let schema = media["schema"] {
                    problems += validator.errors(example, schema).map { "\(id)'s example breaks its own schema: \($0)" }
                    // Each object the document closes, with a member it does not know, is refused
                    // before the example itself is sent.
                    for mutated in Self.withUnknownMembers(example) where !validator.errors(mutated, schema).isEmpty {
                        let refused = try request(method, path, query, operation, mediaType, try Self.encode(mutated), key: key)
                        if ![400, 422].contains(refused.status) || !refused.problemFields.contains(where: { $0.hasSuffix(Self.unknownMember) }) {
                            problems.append("\(id) took a body with an unknown member in a closed object: \(refused.status) \(refused.text.prefix(200))")
                        }
                        refusedUnknownMembers += 1
                    }
                }
                let text: String
                if case .string(let raw) = example, mediaType != "application/json" { text = raw } else { text = try Self.encode(example) }
                let response = try request(method, path, query, operation, mediaType, text, key: key)
                check(response, of: operation, id)
                return response
            }

            /// Objects the document closes that were sent an unknown member and refused it.
            var refusedUnknownMembers = 0
            static let unknownMember = "unexpected_member"

            /// The example with an unknown member added to one of its objects, for each of its objects.
            static func withUnknownMembers(_ value: JSONValue) -> [JSONValue] {
                switch value {
                case .object(var members):
                    var variants: [JSONValue] = []
                    for (name, member) in members.sorted(by: { $0.key < $1.key }) {
                        variants += withUnknownMembers(member).map { variant in
                            var copy = members
                            copy[name] = variant
                            return .object(copy)
                        }
                    }
                    members[unknownMember] = .number(1)
                    return [.object(members)] + variants
                case .array(let items):
                    return items.indices.flatMap { index in
                        withUnknownMembers(items[index]).map { variant in
                            var copy = items
                            copy[index] = variant
                            return .array(copy)
                        }
                    }
                default:
                    return []
                }
            }

            /// Sends a body with the walk's ids and addresses in place of the examples', and the headers the operation declares.
            func request(_ method: String, _ path: String, _ query: String, _ operation: [String: JSONValue], _ mediaType: String,
                         _ example: String, key: String?) throws -> RawHTTPClient.Response {
                var text = example
                for (name, fixed) in exampleIDs where text.contains(fixed) {
                    guard let real = realIDs[name] else { throw RawHTTPError("\(path): the example names a \(name) before the walk made one") }
                    text = text.replacingOccurrences(of: fixed, with: real)
                }
                for (example, real) in realValues { text = text.replacingOccurrences(of: example, with: real) }
                var headers: [(String, String)] = [("Content-Type", mediaType)]
                if let key { headers.append(("Authorization", "Bearer \(key)")) }
                if Self.declares(operation, header: "Idempotency-Key") { headers.append(("Idempotency-Key", UUID().uuidString)) }
                if Self.requires(operation, header: "If-Match") {
                    // The record an action (POST …/{id}/transitions) changes is the path above it.
                    let record = method == "POST" ? String(path[..<(path.lastIndex(of: "/") ?? path.endIndex)]) : path
                    let current = try api.get(record, key: key ?? adminKey)
                    headers.append(("If-Match", current.header("ETag") ?? ""))
                }
                return try api.client.send(method, path + query, headers: headers, body: Array(text.utf8))
            }

            /// Checks an answer against the document: a declared 2xx status, and a body of the declared schema.
            func check(_ response: RawHTTPClient.Response, of operation: [String: JSONValue], _ id: String) {
                guard (200..<300).contains(response.status) else {
                    problems.append("\(id) answered \(response.status): \(response.text.prefix(300))")
                    return
                }
                guard case .object(let responses)? = operation["responses"], case .object(let declared)? = responses[String(response.status)] else {
                    problems.append("\(id) answered \(response.status), which the document does not declare")
                    return
                }
                sent.insert(id)
                guard case .object(let content)? = declared["content"] else {
                    if !response.body.isEmpty { problems.append("\(id) answered \(response.status) with a body the document does not declare") }
                    return
                }
                let type = response.header("Content-Type")?.split(separator: ";").first.map(String.init) ?? ""
                guard case .object(let media)? = content[type] else {
                    problems.append("\(id) answered \(type), not one of \(content.keys.sorted())")
                    return
                }
                guard type == "application/json", let schema = media["schema"] else { return }
                do {
                    let value = try JSONValue(parsing: response.text)
                    problems += validator.errors(value, schema).map { "\(id) \(response.status): \($0)" }
                } catch {
                    problems.append("\(id) answered JSON that does not parse: \(error)")
                }
            }

            static func declares(_ operation: [String: JSONValue], header: String) -> Bool {
                headerParameter(operation, header) != nil
            }

            static func requires(_ operation: [String: JSONValue], header: String) -> Bool {
                headerParameter(operation, header)?["required"] == .bool(true)
            }

            static func headerParameter(_ operation: [String: JSONValue], _ header: String) -> [String: JSONValue]? {
                guard case .array(let parameters)? = operation["parameters"] else { return nil }
                for case .object(let parameter) in parameters where parameter["in"] == .string("header") && parameter["name"] == .string(header) {
                    return parameter
                }
                return nil
            }

            static func matches(_ path: String, _ template: String) -> Bool {
                let parts = path.split(separator: "/", omittingEmptySubsequences: false)
                let pattern = template.split(separator: "/", omittingEmptySubsequences: false)
                return parts.count == pattern.count && zip(parts, pattern).allSatisfy { $1.hasPrefix("{") || $0 == $1 }
            }

            static func encode(_ value: JSONValue) throws -> String {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
                return String(decoding: try encoder.encode(value), as: UTF8.self)
            }

            /// A field of a JSON answer.
            func field(_ response: RawHTTPClient.Response, _ name: String) throws -> String {
                guard let value = response.json[name] as? String else { throw RawHTTPError("no \(name) in \(response.text.prefix(300))") }
                return value
            }

            /// Moves an order with the desk's key, outside the examples.
            func desk(_ order: String, _ to: String, extra: String = "") throws {
                let current = try api.get("/v1/work-orders/\(order)", key: adminKey)
                let moved = try api.client.send("POST", "/v1/work-orders/\(order)/transitions",
                                                headers: bearer(adminKey, [("If-Match", current.header("ETag") ?? "")]),
                                                json: #"{"to":"\#(to)"\#(extra)}"#)
                if moved.status != 200 { throw RawHTTPError("moving \(order) to \(to) answered \(moved.status): \(moved.text)") }
            }

            /// Another order for the examples' customer and vehicle, outside the examples.
            func newOrder(_ description: String) throws -> String {
                let created = try api.client.send("POST", "/v1/work-orders", headers: bearer(adminKey), json: """
                    {"type_id":"\(realIDs["workOrderType"] ?? "")","customer_id":"\(realIDs["customer"] ?? "")",
                     "vehicle_id":"\(realIDs["vehicle"] ?? "")","shop_id":"\(realIDs["shop"] ?? "")","description":"\(description)","insist":true}
                    """)
                return try field(created, "id")
            }
        }

        @Test func everyDocumentedExampleIsAcceptedAndEveryAnswerMatchesItsDeclaredSchema() throws {
            let receivers = try ProviderReceivers()
            defer { receivers.stop() }
            let api = try TestAPI { $0.secretKey = NotificationDeliveryTests.key }
            defer { api.stop() }
            let walk = try Walk(api)
            walk.realValues["https://crm.shunda-auto.example.cn/hooks/pitstop"] = "\(receivers.base)/hooks"
            // Reported even when a step the walk needs fails and ends it early.
            defer { #expect(walk.problems.isEmpty, "\(walk.problems.joined(separator: "\n"))") }

            // The chain and its records, in the order a new tenant sets them up.
            let tenant = try walk.send("createTenant", "/v1/platform/tenants", key: api.platformKey)
            walk.adminKey = try #require((tenant.json["admin_key"] as? [String: Any])?["secret"] as? String)
            let admin = walk.adminKey
            try walk.send("updateTenant", "/v1/tenant", key: admin)
            let apiKey = try walk.field(try walk.send("createAPIKey", "/v1/api-keys", key: admin), "id")
            walk.realIDs["shop"] = try walk.field(try walk.send("createShop", "/v1/shops", key: admin), "id")
            let shop = walk.realIDs["shop"] ?? ""
            try walk.send("updateShop", "/v1/shops/\(shop)", key: admin)
            walk.realIDs["customer"] = try walk.field(try walk.send("createCustomer", "/v1/customers", key: admin), "id")
            try walk.send("updateCustomer", "/v1/customers/\(walk.realIDs["customer"] ?? "")", key: admin)
            try walk.send("upsertCustomer", "/v1/customers/by-external-id/CRM-C-300001", key: admin)
            try walk.send("bulkUpsertCustomers", "/v1/customers/bulk", key: admin)
            walk.realIDs["vehicle"] = try walk.field(try walk.send("createVehicle", "/v1/vehicles", key: admin), "id")
            try walk.send("updateVehicle", "/v1/vehicles/\(walk.realIDs["vehicle"] ?? "")", key: admin)
            try walk.send("upsertVehicle", "/v1/vehicles/by-external-id/CRM-V-100001", key: admin)
            try walk.send("bulkUpsertVehicles", "/v1/vehicles/bulk", key: admin)
            walk.realIDs["engineer"] = try walk.field(try walk.send("createEngineer", "/v1/engineers", key: admin), "id")
            let engineer = walk.realIDs["engineer"] ?? ""
            try walk.send("updateEngineer", "/v1/engineers/\(engineer)", key: admin)
            walk.realIDs["otherEngineer"] = try walk.field(try walk.send("upsertEngineer", "/v1/engineers/by-external-id/HR-0212", key: admin), "id")
            try walk.send("bulkUpsertEngineers", "/v1/engineers/bulk", key: admin)
            let engineerKey = try walk.field(try api.client.send("POST", "/v1/api-keys", headers: bearer(admin), json: """
                {"name":"张伟的手机","role":"engineer","engineer_id":"\(engineer)"}
                """), "secret")
            try walk.send("reportEngineerLocation", "/v1/engineers/\(engineer)/location", key: engineerKey)
            walk.realIDs["workOrderType"] = try walk.field(try walk.send("createWorkOrderType", "/v1/work-order-types", key: admin), "id")
            try walk.send("updateWorkOrderType", "/v1/work-order-types/\(walk.realIDs["workOrderType"] ?? "")", key: admin)
            walk.realIDs["part"] = try walk.field(try walk.send("createPart", "/v1/parts", key: admin), "id")
            let part = walk.realIDs["part"] ?? ""
            try walk.send("replacePart", "/v1/parts/\(part)", key: admin)
            try walk.send("upsertPart", "/v1/parts/by-external-id/ERP-P-5530", key: admin)
            try walk.send("bulkUpsertParts", "/v1/parts/bulk", key: admin)
            try walk.send("createStockMovement", "/v1/stock-movements", key: admin)
            try walk.send("setReorderLevel", "/v1/shops/\(shop)/stock/\(part)", key: admin)
            let article = try walk.field(try walk.send("createKnowledgeArticle", "/v1/knowledge-articles", key: admin), "id")
            try walk.send("replaceKnowledgeArticle", "/v1/knowledge-articles/\(article)", key: admin)
            walk.realIDs["calendar"] = try walk.field(try walk.send("createSLACalendar", "/v1/sla-calendars", key: admin), "id")
            try walk.send("replaceSLACalendar", "/v1/sla-calendars/\(walk.realIDs["calendar"] ?? "")", key: admin)
            walk.realIDs["channel"] = try walk.field(try walk.send("createNotificationChannel", "/v1/notification-channels", key: admin), "id")
            try walk.send("replaceNotificationChannel", "/v1/notification-channels/\(walk.realIDs["channel"] ?? "")", key: admin)
            // Customers' replies to the chain's texts, pushed as Aliyun's SmsUp does to the URL the admin made.
            let replyingSMS = try walk.field(try api.client.send("POST", "/v1/notification-channels", headers: bearer(admin), json: """
                {"name":"短信","kind":"aliyun_sms","url":"https://dysmsapi.aliyuncs.com/","secret":"s3cret","settings":{"access_key_id":"LTAI5t","sign_name":"顺达汽修","template_code":"SMS_100"}}
                """), "id")
            let replyURL = try api.client.send("POST", "/v1/notification-channels/\(replyingSMS)/reply-url", headers: bearer(admin))
            walk.check(replyURL, of: try walk.operation("makeSMSReplyURL").operation, "makeSMSReplyURL")
            let replyPath = try walk.field(replyURL, "url")
            try walk.send("receiveSMSReplies", String(replyPath[try #require(replyPath.range(of: "/v1/public/")).lowerBound...]), key: nil)
            let policy = try walk.field(try walk.send("createSLAPolicy", "/v1/sla-policies", key: admin), "id")
            try walk.send("replaceSLAPolicy", "/v1/sla-policies/\(policy)", key: admin)
            let dispatchPolicy = try walk.field(try walk.send("createDispatchPolicy", "/v1/dispatch-policies", key: admin), "id")
            try walk.send("replaceDispatchPolicy", "/v1/dispatch-policies/\(dispatchPolicy)", key: admin)
            let subscribed = try walk.send("createWebhook", "/v1/webhooks", key: admin)
            let webhook = try walk.field(subscribed, "id")
            receivers.webhookSecret = try walk.field(subscribed, "secret")
            try walk.send("replaceWebhook", "/v1/webhooks/\(webhook)", key: admin)

            // The customer's channels: a QR code in the shop and the official account.
            let link = try walk.send("createIntakeLink", "/v1/intake-links", key: admin)
            try walk.send("submitPublicReport", "/v1/public/intake/\(try walk.field(link, "token"))", key: nil)
            let account = try walk.send("connectWeChatAccount", "/v1/wechat-accounts", key: admin)
            let serverURL = try walk.field(account, "server_url")
            let weChatPath = String(serverURL[try #require(serverURL.range(of: "/v1/public/wechat/")).lowerBound...])
            let timestamp = String(Int(Date().timeIntervalSince1970)), nonce = "1837465092"
            let signature = WeChatSignature.compute(token: "ShundaToken2026", timestamp: timestamp, nonce: nonce)
            try walk.send("weChatMessage", weChatPath, key: nil, query: "?signature=\(signature)&timestamp=\(timestamp)&nonce=\(nonce)")
            // Safe mode opened on the same account, in place.
            try walk.send("updateWeChatAccount", "/v1/wechat-accounts/\(try walk.field(account, "id"))", key: admin)

            // One order from the phone through to a signed and rated repair.
            let opened = try walk.send("createWorkOrder", "/v1/work-orders", key: admin)
            let order = try walk.field(opened, "id")
            let tracking = try walk.field(opened, "tracking_token")
            try walk.send("updateWorkOrder", "/v1/work-orders/\(order)", key: admin)
            try walk.send("upsertWorkOrder", "/v1/work-orders/by-external-id/CRM-T-88812", key: admin)
            try walk.send("transitionWorkOrder", "/v1/work-orders/\(order)/transitions", key: admin)
            #expect(try api.client.send("POST", "/v1/work-orders/\(order)/accept", headers: bearer(engineerKey)).status == 200)
            try walk.send("checkIn", "/v1/me/work-orders/\(order)/check-in", key: engineerKey)
            let photo = try MediaAPITests.upload(api, order, key: engineerKey, type: "image/jpeg", MediaAPITests.jpeg(20_000))
            walk.check(photo, of: try walk.operation("uploadMedia").operation, "uploadMedia")
            walk.realIDs["photo"] = try walk.field(photo, "id")
            try walk.desk(order, "diagnosing")
            try walk.send("saveRepairReport", "/v1/me/work-orders/\(order)/report", key: engineerKey)
            let requisition = try walk.field(try walk.send("requestParts", "/v1/me/work-orders/\(order)/requisitions", key: engineerKey), "id")
            // Approving the parts moves the order on to repairing.
            try walk.send("decideRequisition", "/v1/requisitions/\(requisition)/decision", key: admin)
            // Extra work found during the repair: the customer approves it from the tracking link; a
            // second proposal is withdrawn by the desk.
            let proposal = try walk.send("proposeExtraWork", "/v1/work-orders/\(order)/extra-work", key: engineerKey)
            walk.realValues[String(repeating: "0", count: 64)] = try walk.field(proposal, "sha256")
            try walk.send("answerExtraWork", "/v1/public/track/\(tracking)/extra-work/\(try walk.field(proposal, "id"))", key: nil)
            let second = try walk.send("proposeExtraWork", "/v1/work-orders/\(order)/extra-work", key: admin)
            let withdrawn = try api.client.send("POST", "/v1/work-orders/\(order)/extra-work/\(try walk.field(second, "id"))/withdraw", headers: bearer(admin))
            walk.check(withdrawn, of: try walk.operation("withdrawExtraWork").operation, "withdrawExtraWork")
            try walk.send("checkOut", "/v1/me/work-orders/\(order)/check-out", key: engineerKey)
            try walk.desk(order, "quality_check")
            try walk.send("qualityCheck", "/v1/work-orders/\(order)/quality-check", key: admin)
            try walk.send("acceptWork", "/v1/me/work-orders/\(order)/acceptance", key: engineerKey)
            // An offline phone's late steps for it: answered one by one (here refused: the order is done).
            walk.realIDs["workOrder"] = order
            try walk.send("syncMutations", "/v1/me/sync", key: engineerKey)
            try walk.send("rateWorkOrder", "/v1/public/track/\(tracking)/rating", key: nil)

            // A second signed through the link the shop sends when the customer is not there.
            let signedLater = try walk.newOrder("保养后复查刹车")
            try walk.desk(signedLater, "assigned", extra: #","assignee_id":"\#(engineer)""#)
            #expect(try api.client.send("POST", "/v1/work-orders/\(signedLater)/accept", headers: bearer(engineerKey)).status == 200)
            let checked = try walk.field(try MediaAPITests.upload(api, signedLater, key: engineerKey, type: "image/jpeg", MediaAPITests.jpeg(3_000)), "id")
            #expect(try api.client.send("PUT", "/v1/me/work-orders/\(signedLater)/report", headers: bearer(engineerKey),
                                        json: #"{"diagnosis":"刹车正常","work_performed":"复查并路试","after_photos":["\#(checked)"]}"#).status == 201)
            for step in ["diagnosing", "repairing", "quality_check", "awaiting_acceptance"] { try walk.desk(signedLater, step) }
            let acceptanceLink = try api.client.send("POST", "/v1/work-orders/\(signedLater)/acceptance-link", headers: bearer(admin))
            let signingPage = try api.client.send("GET", "/v1/public/accept/\(try walk.field(acceptanceLink, "token"))", headers: [("Accept", "text/html")]).text
            let photoLink = try #require(SigningPageTests.photoLinks(in: signingPage).first, "the signing page shows the report's photo")
            try walk.send("signThroughLink", "/v1/public/accept/\(try walk.field(acceptanceLink, "token"))", key: nil)
            try walk.send("rateThroughSigningLink", "/v1/public/accept/\(try walk.field(acceptanceLink, "token"))/rating", key: nil)

            // Dispatch, a declined assignment, the pool and a transfer, each on an order of its own.
            let dispatched = try walk.newOrder("更换雨刮片")
            try walk.send("dispatchWorkOrder", "/v1/work-orders/\(dispatched)/dispatch", key: admin)
            try walk.send("declineWorkOrder", "/v1/work-orders/\(dispatched)/decline", key: engineerKey)
            try walk.send("poolWorkOrder", "/v1/work-orders/\(try walk.newOrder("补胎"))/pool", key: admin)
            let handedOver = try walk.newOrder("更换电瓶")
            try walk.desk(handedOver, "assigned", extra: #","assignee_id":"\#(engineer)""#)
            #expect(try api.client.send("POST", "/v1/work-orders/\(handedOver)/accept", headers: bearer(engineerKey)).status == 200)
            try walk.send("requestTransfer", "/v1/me/work-orders/\(handedOver)/transfer-request", key: engineerKey)
            try walk.send("transferWorkOrder", "/v1/work-orders/\(handedOver)/transfer", key: admin)
            // A break, and back: later steps still dispatch to this engineer.
            try walk.send("setMyDuty", "/v1/me/duty", key: engineerKey)
            #expect(try api.client.send("PUT", "/v1/me/duty", headers: bearer(engineerKey), json: #"{"status":"available"}"#).status == 200)

            // An integrator asks for one event again.
            let events = try api.get("/v1/events?limit=1", key: admin)
            walk.realIDs["event"] = try #require((events.json["items"] as? [[String: Any]])?.first?["id"] as? String)
            try walk.send("replayWebhook", "/v1/webhooks/\(webhook)/replay", key: admin)
            // What the examples caused reaches the CRM's receiver, signed, and nothing is left to send.
            let relayed = try EventRelay(database: TestDatabase.shared.database, logger: Logger(component: "test", minimumLevel: .error, sink: { _ in })).run()
            #expect(relayed.deliveries > 20)
            let sent = try NotificationDeliveryTests().sender().run()
            let log = try api.get("/v1/notification-deliveries?limit=2", key: admin).text
            #expect(sent == (relayed.deliveries + 1, 0), "\(log)")
            #expect(receivers.received("webhook").count == relayed.deliveries + 1)
            // Customers hear of their orders once the chain says how (set last: the counts above
            // are the staff's and the CRM's); the example names an Aliyun channel made for it.
            let sms = try api.client.send("POST", "/v1/notification-channels", headers: bearer(admin), json: """
                {"name":"顺达短信","kind":"aliyun_sms","url":"\(receivers.base)/aliyun","secret":"AliyunSecret2026",
                 "settings":{"access_key_id":"LTAI5tShunda","sign_name":"顺达汽修","template_code":"SMS_465823001"}}
                """)
            walk.realIDs["smsChannel"] = try walk.field(sms, "id")
            try walk.send("setCustomerMessagePolicy", "/v1/customer-messages", key: admin)

            // Every read the document describes, over the records the walk made, answers as declared.
            let weChatCheck = "?signature=\(signature)&timestamp=\(timestamp)&nonce=\(nonce)&echostr=7391846250"
            let record: [String: String] = [
                "/v1/api-keys/{id}": apiKey, "/v1/customers/{id}": walk.realIDs["customer"] ?? "", "/v1/customers/{id}/export": walk.realIDs["customer"] ?? "",
                "/v1/dispatch-policies/{id}": dispatchPolicy, "/v1/engineers/{id}": engineer,
                "/v1/intake-links/{id}": try walk.field(link, "id"), "/v1/knowledge-articles/{id}": article,
                "/v1/me/work-orders/{id}": order, "/v1/media/{id}/content": walk.realIDs["photo"] ?? "",
                "/v1/notification-channels/{id}": walk.realIDs["channel"] ?? "", "/v1/parts/{id}": part,
                "/v1/public/accept/{token}": try walk.field(acceptanceLink, "token"), "/v1/public/intake/{token}": try walk.field(link, "token"),
                "/v1/public/photos/{token}": String(photoLink.split(separator: "/").last ?? ""),
                "/v1/public/track/{token}": tracking, "/v1/public/wechat/{token}": String(weChatPath.split(separator: "/").last ?? "") + weChatCheck,
                "/v1/requisitions/{id}": requisition, "/v1/shops/{id}": shop, "/v1/shops/{id}/stock": shop,
                "/v1/sla-calendars/{id}": walk.realIDs["calendar"] ?? "", "/v1/sla-policies/{id}": policy,
                "/v1/vehicles/{id}": walk.realIDs["vehicle"] ?? "", "/v1/vehicles/{id}/history": walk.realIDs["vehicle"] ?? "",
                "/v1/webhooks/{id}": webhook, "/v1/wechat-accounts/{id}": try walk.field(account, "id"),
                "/v1/work-order-types/{id}": walk.realIDs["workOrderType"] ?? "",
            ]
            // A delivery exists once the SLA policy's channel has heard of something; none may yet.
            let deliveries = try api.get("/v1/notification-deliveries", key: admin).json["items"] as? [[String: Any]] ?? []
            for (template, methods) in walk.paths.sorted(by: { $0.key < $1.key }) {
                guard case .object(let methods) = methods, case .object(let read)? = methods["get"], case .string(let id)? = read["operationId"] else { continue }
                var paths: [String] = []
                if !template.contains("{") { paths = [template] }
                else if template == "/v1/reports/{name}" {
                    guard case .array(let parameters)? = read["parameters"], case .object(let name)? = parameters.first,
                          case .object(let schema)? = name["schema"], case .array(let names)? = schema["enum"] else { continue }
                    paths = names.compactMap { if case .string(let name) = $0 { "/v1/reports/\(name)" } else { nil } }
                } else if template == "/v1/notification-deliveries/{id}" {
                    paths = deliveries.prefix(1).compactMap { ($0["id"] as? String).map { "/v1/notification-deliveries/\($0)" } }
                } else if template.hasPrefix("/v1/work-orders/{id}") {
                    paths = [template.replacingOccurrences(of: "{id}", with: order)]
                } else if let value = record[template] {
                    paths = [template.replacingOccurrences(of: "{id}", with: value).replacingOccurrences(of: "{token}", with: value)]
                } else {
                    walk.problems.append("the walk does not read \(template)")
                }
                let key: String? = template.hasPrefix("/v1/me/") ? engineerKey : (read["security"] == .array([]) ? nil : admin)
                for path in paths { walk.check(try api.get(path, key: key), of: read, "\(id) \(path.prefix(60))") }
            }

            #expect(walk.refusedUnknownMembers > 100, "closed objects checked: \(walk.refusedUnknownMembers)")
            #expect(walk.sent.filter { $0.contains(" /") }.count > 70, "reads checked: \(walk.sent.filter { $0.contains(" /") }.count)")
            let unsent = walk.operationsWithExamples.subtracting(walk.sent)
            #expect(unsent.isEmpty, "examples never sent and answered as documented: \(unsent.sorted())")
            #expect(walk.operationsWithExamples.count > 55)
        }

        /// The judge itself: answers a careless server might give are caught against the real document.
        @Test func theSchemaCheckCatchesAnswersThatBreakTheDocument() throws {
            let api = try TestAPI()
            defer { api.stop() }
            let walk = try Walk(api)
            let customer: JSONValue = .object(["$ref": .string("#/components/schemas/Customer")])
            func errors(_ json: String) throws -> [String] { walk.validator.errors(try JSONValue(parsing: json), customer) }
            let good = #"{"id":"8c41e0d2-93b7-4f6a-a2d5-1f0e7c3b9a12","name":"李明","phones":["13812345678"],"tags":[],"#
                + #""created_at":"2026-12-02T08:00:00.123Z","updated_at":"2026-12-02T08:00:00Z","version":1}"#
            #expect(try errors(good).isEmpty)
            #expect(try errors(good.replacingOccurrences(of: #""name":"李明","#, with: "")) == ["$: name is required but missing"])
            #expect(try errors(good.replacingOccurrences(of: #""tags":[]"#, with: #""tags":null"#)) == ["$.tags: null is not of type array"])
            #expect(try errors(good.replacingOccurrences(of: "8c41e0d2-93b7", with: "8c41e0d2-93b")) .count == 1)
            #expect(try errors(good.replacingOccurrences(of: #""version":1"#, with: #""version":1.5"#)) == ["$.version: 1.5 is not of type integer"])
            #expect(try errors(good.replacingOccurrences(of: "2026-12-02T08:00:00Z", with: "yesterday")).count == 1)
            let status: JSONValue = .object(["$ref": .string("#/components/schemas/WorkOrder/properties/status")])
            #expect(walk.validator.errors(.string("done"), status).count == 1)
            #expect(walk.validator.errors(.string("completed"), status).isEmpty)
            #expect(walk.validator.errors(.null, .object(["nullable": .bool(true)])) == ["$: the validator does not know the keyword nullable"])
        }

        /// Every operation that takes a body shows an example of it, except the media upload, whose
        /// body is the photo or video itself.
        @Test func everyOperationWithABodyHasAnExample() throws {
            let api = try TestAPI()
            defer { api.stop() }
            let walk = try Walk(api)
            var withBodies = Set<String>()
            for case .object(let methods) in walk.paths.values {
                for case .object(let operation) in methods.values where operation["requestBody"] != nil {
                    if case .string(let id)? = operation["operationId"] { withBodies.insert(id) }
                }
            }
            #expect(withBodies.subtracting(walk.operationsWithExamples) == ["uploadMedia"])
        }
    }
}
