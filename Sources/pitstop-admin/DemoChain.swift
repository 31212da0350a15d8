import Foundation
import PitstopCore
import PitstopServices
import PitstopStore

/// A small, believable repair chain for a newcomer's first look: three shops in Hangzhou, eight
/// engineers with skills and positions, twenty customers with their cars, an SLA policy, and a
/// month of orders from every channel, each taken through the statuses a real one would go
/// through (reports, quality checks, parts waits, cancellations, rework and ratings) with the
/// times they happened. Everything is written through the repositories, so timelines, events and
/// the worker's report rollups follow as they would in use. Customers carry the tag `demo`.
///
/// The chain is random but the same each time (a fixed seed), and it is seeded once: a tenant
/// that has shops already is left alone.
struct DemoChain {
    let database: Database
    let tenantID: UUID

    /// A fixed-seed generator, so the demo looks the same on every machine.
    struct Dice {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        mutating func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(bound))
        }
        mutating func pick<T>(_ values: [T]) -> T { values[next(values.count)] }
        /// Each of `values` in turn, so that every one shows up.
        var turn = 0
        mutating func cycle<T>(_ values: [T]) -> T {
            turn += 1
            return values[turn % values.count]
        }
    }

    static let shops: [(name: String, address: String, latitude: Double, longitude: Double)] = [
        ("西湖店", "杭州市西湖区文三路 259 号", 30.2770, 120.1290),
        ("滨江店", "杭州市滨江区江南大道 588 号", 30.2084, 120.2120),
        ("拱墅店", "杭州市拱墅区莫干山路 972 号", 30.3190, 120.1420),
    ]
    static let engineers = ["陈师傅", "李师傅", "王师傅", "张师傅", "刘师傅", "赵师傅", "周师傅", "吴师傅"]
    static let customers = ["王先生", "李女士", "张先生", "刘女士", "陈先生", "杨女士", "黄先生", "赵女士", "周先生", "吴女士",
                            "徐先生", "孙女士", "马先生", "朱女士", "胡先生", "郭女士", "何先生", "林女士", "罗先生", "杭州顺达汽车租赁有限公司"]
    static let cars: [(make: String, model: String)] = [("丰田", "卡罗拉"), ("本田", "雅阁"), ("大众", "帕萨特"), ("比亚迪", "汉"),
                                                          ("别克", "英朗"), ("日产", "轩逸"), ("吉利", "星越L"), ("特斯拉", "Model 3")]
    static let problems = ["发动机故障灯亮", "刹车异响", "空调不制冷", "换机油和机滤", "怠速抖动", "左前车门凹陷", "轮胎漏气", "电瓶亏电打不着火"]

    /// Seeds the chain; false when the tenant had shops already.
    func seed(days: Int = 30, now: Date = Date()) throws -> Bool {
        var dice = Dice()
        return try database.withTenant(tenantID) { scope in
            guard try scope.shops.list(limit: 1, after: nil).isEmpty else { return false }
            let tenant = try scope.tenant.get()
            let setup = ChainSetup(scope: scope)
            let shops = try Self.shops.map { shop in
                try setup.createShop(ShopInput(name: shop.name, address: shop.address,
                                               location: .set(GeoPoint(latitude: shop.latitude, longitude: shop.longitude)),
                                               phone: .set("0571-8888\(String(format: "%04d", Int(shop.latitude * 100) % 10000))")),
                                     defaultTimezone: tenant.timezone)
            }
            let types = [
                try setup.createType(WorkOrderTypeInput(code: "maintenance", name: "常规保养")),
                try setup.createType(WorkOrderTypeInput(code: "engine_repair", name: "发动机维修",
                                                        checklist: ["试车无异响", "故障灯熄灭", "清洁车辆"])),
                try setup.createType(WorkOrderTypeInput(code: "body_paint", name: "钣金喷漆")),
            ]
            let engineers = try Self.engineers.enumerated().map { index, name in
                let shop = shops[index % shops.count]
                let engineer = try EngineerRoster(scope: scope).create(EngineerInput(
                    name: name, phone: .set("1390000\(String(format: "%04d", 1001 + index))"),
                    skills: ["engine": 1 + index % 5, "maintenance": 3, "body": 1 + (index + 2) % 5], shopIDs: [shop.id],
                    active: true, status: .available))
                let point = GeoPoint(latitude: (shop.location?.latitude ?? 30.25) + Double(dice.next(40) - 20) / 2000,
                                     longitude: (shop.location?.longitude ?? 120.15) + Double(dice.next(40) - 20) / 2000)
                _ = try scope.engineers.recordLocation(id: engineer.id, at: point, minimumInterval: 0, now: now)
                return engineer
            }
            let cars = try Self.customers.enumerated().map { index, name -> (customer: UUID, vehicle: UUID) in
                let customer = try CustomerRecords(scope: scope).create(CustomerInput(
                    name: name, phones: ["1380013\(String(format: "%04d", 8000 + index))"], tags: index == 19 ? ["demo", "fleet"] : ["demo"]))
                let car = Self.cars[index % Self.cars.count]
                let vehicle = try VehicleRecords(scope: scope).create(VehicleInput(
                    customerID: customer.id, plate: .set("浙A\(String(format: "%05d", 10_000 + index * 373))"), make: .set(car.make),
                    model: .set(car.model), year: .set(2016 + index % 9), mileageKm: .set(20_000 + index * 4_100)))
                return (customer.id, vehicle.id)
            }
            _ = try scope.sla.createPolicy(SLARepository.PolicyInput(
                name: "标准服务承诺", position: 0, isDefault: true, match: SLAPolicy.Match(), calendarID: nil,
                rules: SLARules(firstResponse: .init(minutes: 30, businessTime: false), resolution: .init(minutes: 8 * 60, businessTime: false))))
            let channels = WorkOrder.Channel.allCases
            for day in (0..<days).reversed() {
                for _ in 0..<(4 + dice.next(5)) {
                    let opened = now.addingTimeInterval(-Double(day) * 86_400 - Double(dice.next(10 * 3600)) - 3600)
                    let car = dice.pick(cars)
                    let order = try OrderLifecycle(scope: scope, tenant: tenant, by: .console, now: opened).open(
                        NewWorkOrder(channel: dice.pick(channels), typeID: dice.pick(types).id, priority: dice.pick([.p2, .p3, .p3, .p4]),
                                     customerID: car.customer, vehicleID: car.vehicle, shopID: dice.pick(shops).id,
                                     description: dice.pick(Self.problems), symptoms: [], site: nil, customFields: [:]),
                        note: nil)
                    try walk(order, engineer: dice.pick(engineers).id, age: day, dice: &dice, tenant: tenant, scope: scope, now: now)
                }
            }
            return true
        }
    }

    /// Takes an order as far as its age makes likely: old orders mostly completed (some rated,
    /// a few cancelled or reworked), today's still on their way.
    private func walk(_ order: WorkOrder, engineer: UUID, age: Int, dice: inout Dice, tenant: Tenant, scope: TenantScope, now: Date) throws {
        var order = order
        var at = order.createdAt
        func lifecycle(after minutes: Int) -> OrderLifecycle {
            at = min(now, at.addingTimeInterval(Double(minutes) * 60))
            return OrderLifecycle(scope: scope, tenant: tenant, by: .console, now: at)
        }
        func step(_ to: WorkOrderStatus, after minutes: Int, reason: String? = nil) throws {
            order = try lifecycle(after: minutes).move(order.id, expectedVersion: order.version, to: to, note: nil, reason: reason)
        }
        let fate = dice.next(100)
        // Cancelled before anyone took it.
        if fate < 6 { return try step(.cancelled, after: 20 + dice.next(60), reason: "客户改约") }
        // Most of the last three days' orders are still somewhere on their way.
        let open: [WorkOrderStatus] = [.new, .assigned, .accepted, .diagnosing, .awaitingParts, .repairing, .qualityCheck, .awaitingAcceptance]
        let stop = age <= 2 && fate < 75 ? dice.cycle(open) : nil
        if stop == .new { return }
        at = min(now, at.addingTimeInterval(Double(3 + dice.next(25)) * 60))
        // History is made by a desk that knows its engineers: over the rules where they would refuse.
        (order, _) = try Dispatcher(scope: scope, tenant: tenant, now: at).pick(order, expectedVersion: order.version, engineer: engineer,
                                                                                 reason: "演示数据", overriding: true, by: .console)
        if stop == .assigned { return }
        try step(.accepted, after: 2 + dice.next(40))
        if stop == .accepted { return }
        try step(.diagnosing, after: 10 + dice.next(30))
        if stop == .diagnosing { return }
        if fate % 4 == 0 || stop == .awaitingParts {
            try step(.awaitingParts, after: 20 + dice.next(60))
            if stop == .awaitingParts { return }
        }
        try step(.repairing, after: 30 + dice.next(240))
        if stop == .repairing { return }
        _ = try OrderLifecycle(scope: scope, tenant: tenant, by: .console, now: at.addingTimeInterval(60)).saveReport(
            order.id, basedOn: nil, diagnosis: "检查确认：\(order.description)", workPerformed: "按工艺完成维修并试车",
            labour: [RepairReport.LabourLine(description: "维修工时", hours: Double(1 + dice.next(4)))],
            parts: fate % 3 == 0 ? [RepairReport.PartLine(partNumber: "BP-100", name: "前刹车片", quantity: 1)] : [],
            mileageKm: nil, beforePhotos: [], afterPhotos: [])
        order = try scope.workOrders.get(id: order.id)
        try step(.qualityCheck, after: 30 + dice.next(90))
        if stop == .qualityCheck { return }
        try step(.awaitingAcceptance, after: 10 + dice.next(30))
        if stop == .awaitingAcceptance { return }
        try step(.completed, after: 20 + dice.next(120))
        if fate % 3 != 0 {
            try scope.acceptances.rate(id: order.id, score: [5, 5, 4, 5, 3, 4, 5, 2][dice.next(8)], comment: dice.pick(["师傅很专业", "速度快", "", "价格合理"]),
                                      now: at.addingTimeInterval(3600))
        }
        // A few come back for rework within the window.
        if fate > 95 && age > 3 { try step(.reopened, after: 24 * 60, reason: "异响复现") }
    }
}
