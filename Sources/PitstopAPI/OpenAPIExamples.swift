import Foundation

/// One realistic request body for every operation that takes one, by operationId: a chain of
/// shops in Hangzhou, its customers (mainland mobiles, plates and VINs with valid check digits),
/// engineers and parts. The examples refer to each other through the fixed ids of `ExampleID`; a
/// test creates the records they name, puts the real ids in place of these, and sends every
/// example, expecting it to be accepted and answered as the document says.
enum OpenAPIExample {
    /// The ids the examples use for records they refer to.
    enum ID: String, CaseIterable {
        case shop = "3b9f2c7e-5d41-4a8e-9c10-7e2d8a4b6f01"
        case customer = "8c41e0d2-93b7-4f6a-a2d5-1f0e7c3b9a12"
        case vehicle = "d27a5b90-4c1e-4e83-b6f4-0a9d2e71c5b3"
        case engineer = "5e0b8f3a-2d6c-4b19-8e07-c4a1f9d63e24"
        case otherEngineer = "a93c6d15-7f28-4e4b-9a31-2b8e0f5d7c45"
        case workOrderType = "f1d84a27-6b3e-4c95-8d20-9e7a5c1b3f56"
        case part = "2c7e9b41-0a5d-4f36-b8e9-6d3f1a2c8e67"
        case calendar = "7a2f5c08-e9b1-4d67-9f43-8c0e6b2d4a78"
        case channel = "b4e18d6f-3a9c-4b52-a7d0-5f2c9e8b1d89"
        case smsChannel = "5e0c7a93-2d4b-4f18-9a6e-c1b8d3f70e24"
        case photo = "e68b2f94-1c7d-4a05-bd3e-7a9c0f4e2b9a"
        case event = "0f9a3e6c-8b24-4d71-9c58-3e1b7d0a6fab"
        case workOrder = "4d6a1e83-9b2f-4c70-a5e1-8f3b2c9d0e1c"
    }

    static func id(_ id: ID) -> String { id.rawValue }

    /// The shop's door on 文三路, where the examples' customer is repaired and checked in.
    static var westLake: OpenAPIDocument.Object { ["latitude": 30.27415, "longitude": 120.15515] }

    /// A finger-drawn signature as the signing page sends it.
    static let signature = Data(##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 300 100"><path d="M12 78 C40 12 66 14 92 76 S150 140 184 70 S250 30 288 64" stroke="#1a1a1a" stroke-width="3" fill="none"/></svg>"##.utf8)
        .base64EncodedString()

    static var weekdayHours: [OpenAPIDocument.Object] { [["from": "08:30", "to": "12:00"], ["from": "13:00", "to": "18:00"]] }

    /// The template and checklist of the examples' job type, which the quality check answers.
    static let checklist = ["刹车片厚度", "制动液液位", "路试无异响"]

    static var bodies: [String: Any] {
        OpenAPIDocument.union([records, orders, setup], of: "example")
    }

    /// Lines of an NDJSON bulk body.
    static func ndjson(_ lines: [OpenAPIDocument.Object]) -> String {
        lines.map { line in
            // Plain values only: serialising them cannot fail.
            String(decoding: (try? JSONSerialization.data(withJSONObject: line, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data(), as: UTF8.self)
        }.joined(separator: "\n") + "\n"
    }

    static var records: [String: Any] {
        [
            "createTenant": ["name": "杭州顺达汽修连锁", "timezone": "Asia/Shanghai"],
            "updateTenant": ["duplicate_window_minutes": 120, "reopen_window_days": 30, "trail_retention_days": 60,
                             "order_link": "https://console.shunda-auto.example.cn/orders/{number}"] as OpenAPIDocument.Object,
            "createAPIKey": ["name": "西湖店调度台 王芳", "role": "dispatcher"],
            "createShop": ["name": "顺达汽修 西湖店", "address": "杭州市西湖区文三路 90 号", "location": westLake, "timezone": "Asia/Shanghai",
                           "phone": "0571-88776655",
                           "opening_hours": ["mon": [["08:30", "18:00"]], "tue": [["08:30", "18:00"]], "wed": [["08:30", "18:00"]],
                                             "thu": [["08:30", "18:00"]], "fri": [["08:30", "18:00"]], "sat": [["09:00", "17:00"]]]] as OpenAPIDocument.Object,
            "updateShop": ["phone": "0571-88776656", "opening_hours": ["mon": [["08:00", "20:00"]], "tue": [["08:00", "20:00"]],
                                                                       "wed": [["08:00", "20:00"]], "thu": [["08:00", "20:00"]],
                                                                       "fri": [["08:00", "20:00"]], "sat": [["09:00", "17:00"]],
                                                                       "sun": [["09:00", "17:00"]]]] as OpenAPIDocument.Object,
            "createCustomer": ["name": "李明", "phones": ["13812345678"], "wechat_openid": "oR5Gj1Xc9mK2pQ7vT3sW8yZ4aB6d",
                               "email": "liming@example.cn", "tags": ["VIP"], "external_id": "CRM-C-102938"] as OpenAPIDocument.Object,
            "updateCustomer": ["phones": ["13812345678", "13987654321"], "tags": ["VIP", "车队"], "email": NSNull()] as OpenAPIDocument.Object,
            "upsertCustomer": ["name": "周杰", "phones": ["15800003333"], "tags": ["会员"]] as OpenAPIDocument.Object,
            "bulkUpsertCustomers": ndjson([["external_id": "CRM-C-200001", "name": "赵磊", "phones": ["13900001111"]],
                                           ["external_id": "CRM-C-200002", "name": "钱芳", "phones": ["13700002222"], "tags": ["车队"]]]),
            "createVehicle": ["customer_id": id(.customer), "vin": "LVGBE40K7GG123456", "plate": "浙A12345", "make": "丰田", "model": "卡罗拉",
                              "year": 2019, "colour": "白色", "mileage_km": 58230, "mileage_read_on": "2026-11-28"] as OpenAPIDocument.Object,
            "updateVehicle": ["mileage_km": 61200, "mileage_read_on": "2026-12-01"] as OpenAPIDocument.Object,
            "upsertVehicle": ["customer_external_id": "CRM-C-102938", "plate": "浙A5B2C8", "make": "大众", "model": "朗逸", "year": 2021]
                as OpenAPIDocument.Object,
            "bulkUpsertVehicles": ndjson([["external_id": "CRM-V-300001", "customer_external_id": "CRM-C-200001", "vin": "LFV2A21K8H3045871",
                                           "plate": "浙A3K7P9", "make": "奥迪", "model": "A4L"],
                                          ["external_id": "CRM-V-300002", "customer_external_id": "CRM-C-200002", "vin": "LHGCR265XK8012345",
                                           "plate": "浙AD12345", "make": "本田", "model": "雅阁"]]),
            "createEngineer": ["name": "张伟", "phone": "13611112222", "skills": ["brakes": 4, "engine": 3], "shop_ids": [id(.shop)],
                               "certifications": ["机动车维修技术人员 二级"], "external_id": "HR-0107", "status": "available"] as OpenAPIDocument.Object,
            "updateEngineer": ["skills": ["brakes": 5, "engine": 3, "electrical": 2]] as OpenAPIDocument.Object,
            "upsertEngineer": ["name": "刘洋", "phone": "13622223333", "skills": ["electrical": 4, "brakes": 3], "shop_ids": [id(.shop)],
                               "status": "available"] as OpenAPIDocument.Object,
            "bulkUpsertEngineers": ndjson([["external_id": "HR-0301", "name": "陈刚", "phone": "13633334444", "skills": ["bodywork": 4]],
                                           ["external_id": "HR-0302", "name": "黄磊", "phone": "13644445555", "skills": ["paint": 3]]]),
            "reportEngineerLocation": ["latitude": 30.27655, "longitude": 120.15043, "datum": "wgs84"],
            "createWorkOrderType": ["code": "brake_service", "name": "刹车检修", "checklist": checklist,
                                    "template": ["fields": [["key": "noise_position", "label": "异响位置", "kind": "single_select", "required": false,
                                                             "options": ["前轮", "后轮", "不确定"]] as OpenAPIDocument.Object]]] as OpenAPIDocument.Object,
            "updateWorkOrderType": ["name": "刹车检修与保养"],
            "createPart": ["part_number": "04465-02220", "oem_number": "04465-02220", "name": "前刹车片", "brand": "丰田", "unit": "套",
                           "price": 420, "fits": [["make": "丰田", "model": "卡罗拉"]], "external_id": "ERP-P-5521"] as OpenAPIDocument.Object,
            "replacePart": ["part_number": "04465-02220", "oem_number": "04465-02220", "name": "前刹车片（原厂）", "brand": "丰田", "unit": "套",
                            "price": 398, "fits": [["make": "丰田", "model": "卡罗拉"], ["make": "丰田", "model": "雷凌"]], "external_id": "ERP-P-5521"]
                as OpenAPIDocument.Object,
            "upsertPart": ["part_number": "90915-YZZE1", "name": "机油滤清器", "brand": "丰田", "unit": "个", "price": 45] as OpenAPIDocument.Object,
            "bulkUpsertParts": ndjson([["external_id": "ERP-P-6001", "part_number": "08880-83718", "name": "全合成机油 0W-20 4L", "unit": "桶", "price": 368],
                                       ["external_id": "ERP-P-6002", "part_number": "87139-0D010", "name": "空调滤芯", "unit": "个", "price": 85]]),
            "createStockMovement": ["shop_id": id(.shop), "part_id": id(.part), "kind": "receipt", "quantity": 10,
                                    "reason": "供应商到货 PO-20261201-03"] as OpenAPIDocument.Object,
            "setReorderLevel": ["reorder_level": 4],
            "createKnowledgeArticle": ["title": "卡罗拉刹车异响的排查", "body": "先看前刹车片厚度，低于 3 mm 报警片会摩擦制动盘；再查制动盘是否有沟槽。",
                                       "tags": ["制动"], "symptoms": ["刹车异响"], "fits": [["make": "丰田", "model": "卡罗拉"]]] as OpenAPIDocument.Object,
            "replaceKnowledgeArticle": ["title": "卡罗拉刹车异响的排查", "body": "先看前刹车片厚度，低于 3 mm 报警片会摩擦制动盘；再查制动盘沟槽和卡钳导向销。",
                                        "tags": ["制动", "底盘"], "symptoms": ["刹车异响", "刹车抖动"],
                                        "fits": [["make": "丰田", "model": "卡罗拉"], ["make": "丰田", "model": "雷凌"]]] as OpenAPIDocument.Object,
        ]
    }

    static var orders: [String: Any] {
        [
            "createWorkOrder": ["channel": "phone", "type_id": id(.workOrderType), "priority": "P2", "customer_id": id(.customer),
                                "vehicle_id": id(.vehicle), "shop_id": id(.shop), "description": "踩刹车时前轮有尖锐异响，近一周越来越明显",
                                "symptoms": ["刹车异响"], "site": westLake.merging(["address": "杭州市西湖区文三路 90 号"]) { first, _ in first },
                                "custom_fields": ["noise_position": "前轮"]] as OpenAPIDocument.Object,
            "upsertWorkOrder": ["type_id": id(.workOrderType), "priority": "P3", "customer": ["name": "孙丽", "phones": ["13566667777"]],
                                "vehicle": ["plate": "浙A7Q9M2", "make": "本田", "model": "思域"], "description": "空调不制冷，出风口只有热风"]
                as OpenAPIDocument.Object,
            "updateWorkOrder": ["priority": "P1", "description": "踩刹车时前轮有尖锐异响，今早刹车距离明显变长"],
            "transitionWorkOrder": ["to": "assigned", "assignee_id": id(.engineer), "note": "已电话联系车主，下午两点到店"],
            "dispatchWorkOrder": ["engineer_id": id(.engineer), "reason": "上次也是张师傅修的这台车"],
            "poolWorkOrder": ["note": "午高峰人手紧，放进抢单池"],
            "declineWorkOrder": ["reason": "正在滨江另一单上，一小时内到不了"],
            "transferWorkOrder": ["engineer_id": id(.otherEngineer), "reason": "张师傅请假，交给刘师傅"],
            "requestTransfer": ["reason": "车主改到滨江店修，离我太远"],
            "checkIn": westLake,
            "setMyDuty": ["status": "on_break"] as OpenAPIDocument.Object,
            "syncMutations": ["mutations": [
                ["idempotency_key": "phone-7f3a-0001", "type": "check_in", "work_order_id": id(.workOrder), "based_on_version": 4,
                 "latitude": 30.27415, "longitude": 120.15515] as OpenAPIDocument.Object,
                ["idempotency_key": "phone-7f3a-0002", "type": "transition", "work_order_id": id(.workOrder), "based_on_version": 4,
                 "to": "diagnosing", "note": "到店检测"] as OpenAPIDocument.Object,
            ]] as OpenAPIDocument.Object,
            "checkOut": westLake,
            "saveRepairReport": ["diagnosis": "前刹车片磨损至 2 mm，报警片摩擦制动盘", "work_performed": "更换前刹车片，清洁卡钳导向销，路试正常",
                                 "labour": [["description": "更换前刹车片", "hours": 1.5] as OpenAPIDocument.Object],
                                 "parts": [["part_number": "04465-02220", "name": "前刹车片", "quantity": 1] as OpenAPIDocument.Object],
                                 "mileage_km": 61200, "before_photos": [id(.photo)], "after_photos": [String]()] as OpenAPIDocument.Object,
            "requestParts": ["lines": [["part_number": "04465-02220", "quantity": 1] as OpenAPIDocument.Object], "note": "店里缺货，请从仓库调拨"]
                as OpenAPIDocument.Object,
            "decideRequisition": ["approve": true, "note": "仓库今天下午送到"] as OpenAPIDocument.Object,
            "qualityCheck": ["inspector": "质检员 陈静",
                             "results": [["item": checklist[0], "passed": true, "note": "前轮 10 mm"] as OpenAPIDocument.Object,
                                         ["item": checklist[1], "passed": true] as OpenAPIDocument.Object,
                                         ["item": checklist[2], "passed": true] as OpenAPIDocument.Object]] as OpenAPIDocument.Object,
            "acceptWork": ["signer_name": "李明", "report_version": 1, "signature_type": "image/svg+xml", "signature": signature] as OpenAPIDocument.Object,
            "signThroughLink": ["signer_name": "李明", "report_version": 1, "signature_type": "image/svg+xml", "signature": signature]
                as OpenAPIDocument.Object,
            "rateWorkOrder": ["score": 5, "comment": "师傅很专业，讲得清楚，按时交车"] as OpenAPIDocument.Object,
            "rateThroughSigningLink": ["score": 4, "comment": "报告清楚，价格透明"] as OpenAPIDocument.Object,
            "proposeExtraWork": ["lines": [["description": "更换后刹车片（原厂）", "quantity": 1, "unit_price": 460] as OpenAPIDocument.Object,
                                           ["description": "刹车油更换", "quantity": 1, "unit_price": 120.5] as OpenAPIDocument.Object],
                                 "note": "后刹车片仅剩 2 毫米，建议一并更换"] as OpenAPIDocument.Object,
            "updateWeChatAccount": ["name": "车大夫服务号", "app_id": "wx1a2b3c4d5e6f7a8b",
                                    "encoding_aes_key": "Pitstop0EncodingAESKey0For0Safe0Mode0Tests0"] as OpenAPIDocument.Object,
            "answerExtraWork": ["approve": true, "sha256": String(repeating: "0", count: 64)] as OpenAPIDocument.Object,
            "receiveSMSReplies": [["phone_number": "13912345678", "content": "TD", "send_time": "2026-12-03 20:15:00", "dest_code": "1234",
                                   "sequence_id": 1234567890] as OpenAPIDocument.Object],
            "submitPublicReport": ["name": "王女士", "phone": "13955556666", "plate": "浙A88K66", "description": "早上冷车启动时故障灯亮，怠速发抖",
                                   "symptoms": ["故障灯亮", "怠速抖动"],
                                   "site": ["latitude": 30.28102, "longitude": 120.13947, "address": "杭州市西湖区古墩路 88 号地下车库"]]
                as OpenAPIDocument.Object,
            "weChatMessage": """
                <xml><ToUserName><![CDATA[gh_3a1b2c4d5e6f]]></ToUserName><FromUserName><![CDATA[oR5Gj1Xc9mK2pQ7vT3sW8yZ4aB6d]]></FromUserName>\
                <CreateTime>1764662400</CreateTime><MsgType><![CDATA[text]]></MsgType>\
                <Content><![CDATA[车牌浙A6N2T8，仪表盘胎压灯一直亮]]></Content><MsgId>24857301923847561</MsgId></xml>
                """,
        ]
    }

    static var setup: [String: Any] {
        [
            "createIntakeLink": ["name": "西湖店前台二维码", "channel": "qr", "type_id": id(.workOrderType), "shop_id": id(.shop)],
            "connectWeChatAccount": ["name": "顺达汽修服务号", "original_id": "gh_3a1b2c4d5e6f", "token": "ShundaToken2026",
                                     "type_id": id(.workOrderType), "shop_id": id(.shop)],
            "createDispatchPolicy": ["shop_id": id(.shop), "mode": "manual", "radius_km": 15, "position_max_age_minutes": 30, "max_open_orders": 4, "required_skills": ["brakes": 2],
                                     "weights": ["distance": 3, "load": 2, "skill": 2, "fairness": 1, "familiarity": 1],
                                     "offer_timeout_seconds": 300, "max_rounds": 3, "after_rounds": "pool", "check_in_radius_meters": 300]
                as OpenAPIDocument.Object,
            "replaceDispatchPolicy": ["mode": "manual", "pool_minutes": 20, "after_pool": "dispatcher", "radius_km": 20, "position_max_age_minutes": 60, "max_open_orders": 5, "required_skills": ["brakes": 2], "average_speed_kmh": 25,
                                      "offer_timeout_seconds": 600, "max_rounds": 2, "after_rounds": "dispatcher"] as OpenAPIDocument.Object,
            "createSLACalendar": ["name": "门店工作日", "timezone": "Asia/Shanghai",
                                  "weekly": ["monday": weekdayHours, "tuesday": weekdayHours, "wednesday": weekdayHours, "thursday": weekdayHours,
                                             "friday": weekdayHours, "saturday": [["from": "09:00", "to": "17:00"]]],
                                  "holidays": ["2026-10-01", "2026-10-02", "2026-10-05", "2026-10-06", "2026-10-07"],
                                  "make_up_days": ["2026-09-27", "2026-10-10"]] as OpenAPIDocument.Object,
            "replaceSLACalendar": ["name": "门店工作日（含周日）", "timezone": "Asia/Shanghai",
                                   "weekly": ["monday": weekdayHours, "tuesday": weekdayHours, "wednesday": weekdayHours, "thursday": weekdayHours,
                                              "friday": weekdayHours, "saturday": [["from": "09:00", "to": "17:00"]],
                                              "sunday": [["from": "09:00", "to": "17:00"]]],
                                   "holidays": ["2026-10-01", "2026-10-02", "2026-10-05", "2026-10-06", "2026-10-07"],
                                   "make_up_days": ["2026-09-27", "2026-10-10"]] as OpenAPIDocument.Object,
            "createSLAPolicy": ["name": "P1/P2 快修承诺", "calendar_id": id(.calendar), "match": ["priorities": ["P1", "P2"]],
                                "first_response": ["minutes": 15], "arrival": ["minutes": 60, "business_time": false],
                                "resolution": ["minutes": 480], "warn_at": [0.75],
                                "escalation": [["on": "warning", "channels": [id(.channel)]] as OpenAPIDocument.Object,
                                               ["on": "breach", "after_minutes": 30, "channels": [id(.channel)], "mention_assignee": true]
                                                   as OpenAPIDocument.Object]] as OpenAPIDocument.Object,
            "replaceSLAPolicy": ["name": "P1/P2 快修承诺", "calendar_id": id(.calendar), "match": ["priorities": ["P1", "P2"]],
                                 "first_response": ["minutes": 10], "arrival": ["minutes": 45, "business_time": false],
                                 "resolution": ["minutes": 480], "warn_at": [0.5, 0.9],
                                 "escalation": [["on": "breach", "channels": [id(.channel)], "mention_assignee": true] as OpenAPIDocument.Object]]
                as OpenAPIDocument.Object,
            "createNotificationChannel": ["name": "西湖店调度群", "kind": "dingtalk",
                                          "url": "https://oapi.dingtalk.com/robot/send?access_token=5c3e8a1f9b2d47e6a0c4f8b1d3e5a7c9",
                                          "secret": "SEC1f4a9c2e7b5d8036a1e4c7b9d2f5a8e3c6b0d4f7a1e9c2b5d8f3a6c0e4b7d1", "alerts": true,
                                          "settings": ["format": "markdown"]] as OpenAPIDocument.Object,
            "replaceNotificationChannel": ["name": "西湖店调度群", "kind": "dingtalk",
                                           "url": "https://oapi.dingtalk.com/robot/send?access_token=5c3e8a1f9b2d47e6a0c4f8b1d3e5a7c9",
                                           "secret": "SEC1f4a9c2e7b5d8036a1e4c7b9d2f5a8e3c6b0d4f7a1e9c2b5d8f3a6c0e4b7d1", "alerts": true,
                                           "settings": ["format": "text"]] as OpenAPIDocument.Object,
            "setCustomerMessagePolicy": [
                "moments": [
                    "received": [["channel_id": id(.smsChannel), "template": "SMS_465823017",
                                  "variables": ["order": "order", "code": "link_secret"]] as OpenAPIDocument.Object],
                    "ready_for_acceptance": [["channel_id": id(.smsChannel), "template": "SMS_465823052",
                                              "variables": ["order": "order", "code": "link_secret"]] as OpenAPIDocument.Object],
                    "completed": [["channel_id": id(.smsChannel), "template": "SMS_465823088",
                                   "variables": ["order": "order", "shop": "shop", "code": "link_secret"]] as OpenAPIDocument.Object],
                ] as OpenAPIDocument.Object,
                "quiet_hours": ["start": "21:30", "end": "08:00"],
            ] as OpenAPIDocument.Object,
            "createWebhook": ["name": "CRM 工单同步", "url": "https://crm.shunda-auto.example.cn/hooks/pitstop",
                              "event_types": ["work_order.created", "work_order.status_changed", "work_order.rated"]] as OpenAPIDocument.Object,
            "replaceWebhook": ["name": "CRM 工单同步", "url": "https://crm.shunda-auto.example.cn/hooks/pitstop",
                               "event_types": ["*"], "active": true] as OpenAPIDocument.Object,
            "replayWebhook": ["event_id": id(.event)],
        ]
    }
}

extension APIApplication {
    /// The fixed ids the OpenAPI document's examples use for the records they refer to, by name.
    public static var exampleIDs: [String: String] {
        Dictionary(uniqueKeysWithValues: OpenAPIExample.ID.allCases.map { ("\($0)", $0.rawValue) })
    }
}
