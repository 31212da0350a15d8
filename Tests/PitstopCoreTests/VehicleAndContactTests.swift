import PitstopCore
import Testing

@Suite struct VINTests {
    @Test(arguments: [
        "1M8GDM9AXKP042788",  // the check digit X
        "1HGCM82633A004352",
        "JHMCM56557C404453",
        "LSVAM4187C2184847",  // SAIC Volkswagen, China
        "LVSHCAMB1CE054249",  // Changan Ford, China
        "11111111111111111",
    ])
    func realVINsPass(text: String) throws {
        #expect(try VIN(text).value == text)
    }

    @Test func lowerCaseAndSpacesAreNormalised() throws {
        #expect(try VIN(" lsvam4187c2184847 ").value == "LSVAM4187C2184847")
    }

    @Test(arguments: [
        ("LFV2A21K0D4123456", VIN.Problem.checkDigitMismatch(expected: "8", found: "0")),
        ("1HGCM82633A004353", .checkDigitMismatch(expected: "5", found: "3")),
        ("1M8GDM9AXKP04278", .wrongLength(16)),
        ("1M8GDM9AXKP0427888", .wrongLength(18)),
        ("1M8GDM9AXKP04278O", .forbiddenCharacter("O", position: 17)),
        ("IM8GDM9AXKP042788", .forbiddenCharacter("I", position: 1)),
        ("1M8GDM9AXKQ042788", .forbiddenCharacter("Q", position: 11)),
        ("1M8GDM9AXKP04278-", .forbiddenCharacter("-", position: 17)),
    ])
    func badVINsSayWhatIsWrong(text: String, problem: VIN.Problem) {
        #expect(throws: problem) { try VIN(text) }
    }

    @Test func theCheckDigitMessageIsActionable() {
        #expect(VIN.Problem.checkDigitMismatch(expected: "8", found: "0").description.contains("mistyped"))
    }
}

@Suite struct LicensePlateTests {
    @Test(arguments: [
        ("京A12345", "京A12345", LicensePlate.Kind.ordinary),
        ("京a·b1234", "京AB1234", .ordinary),
        ("粤B 1234学", "粤B1234学", .ordinary),
        ("粤Z1234港", "粤Z1234港", .ordinary),
        ("沪AD12345", "沪AD12345", .newEnergySmall),
        ("沪A FA1234", "沪AFA1234", .newEnergySmall),
        ("粤B12345D", "粤B12345D", .newEnergyLarge),
        ("浙Ａ１２３４５", "浙A12345", .ordinary),
    ])
    func validPlatesNormalise(text: String, normalised: String, kind: LicensePlate.Kind) throws {
        let plate = try LicensePlate(text)
        #expect(plate.value == normalised)
        #expect(plate.kind == kind)
    }

    @Test(arguments: [
        ("A12345", LicensePlate.Problem.unknownProvince),
        ("台A12345", .unknownProvince),
        ("京112345", .badAuthority),
        ("京I12345", .badAuthority),
        ("京A1234", .badSerial),
        ("京A1234O", .badSerial),
        ("京A123456", .badSerial),
        ("沪AD1234X", .badSerial),
        ("沪AF1A234", .badSerial),
        ("粤B1234AD", .badSerial),
        ("京", .badAuthority),
    ])
    func invalidPlatesAreRefused(text: String, problem: LicensePlate.Problem) {
        #expect(throws: problem) { try LicensePlate(text) }
    }

    /// Plates as customers write them inside a chat message; nil where a message holds none
    /// (a phone number, a run of digits too long for a plate, a province name alone).
    @Test(arguments: [
        ("刹车有异响，车牌浙A12345", "浙A12345"),
        ("车牌浙a·12345，下坡时更明显", "浙A12345"),
        ("我的车 粤B12345D 充不进电", "粤B12345D"),
        ("沪AD12345 的空调不制冷", "沪AD12345"),
        ("车牌：浙Ａ１２３４５", "浙A12345"),
        ("浙江杭州，浙A88888 发动机抖", "浙A88888"),
        ("发动机抖动，电话13800138000", nil),
        ("浙A1234567 是订单号", nil),
        ("浙江的车，没有车牌", nil),
    ] as [(String, String?)])
    func platesAreFoundInsideMessages(text: String, plate: String?) {
        #expect(LicensePlate.find(in: text)?.value == plate)
    }
}

@Suite struct ChatTextTests {
    @Test(arguments: [("你好", true), ("您好！", true), ("在吗？？", true), ("Hello 👋", true), ("hi", true), ("你好，刹车有异响", false),
                      ("刹车坏了", false), ("好", false), ("", false)])
    func onlyAGreetingDescribesNoProblem(text: String, greeting: Bool) {
        #expect(ChatText.isGreeting(text) == greeting)
    }
}

@Suite struct MobileNumberTests {
    /// Also as a Chinese keyboard in full-width mode types it (digits, plus, hyphen, the
    /// ideographic space), the way plates and VINs were already read.
    @Test(arguments: ["13800138000", "+86 138 0013 8000", "0086-13800138000", "8613800138000", "(+86)138-0013-8000",
                      "１３８００１３８０００", "＋８６　１３８－００１３－８０００", "（＋86）13800138000"])
    func acceptedForms(text: String) throws {
        #expect(try MobileNumber(text).value == "13800138000")
    }

    @Test(arguments: ["1380013800", "23800138000", "12800138000", "138001380001", "1380013800a", "", "+1 415 555 0100"])
    func refusedForms(text: String) {
        #expect(throws: MobileNumber.Problem.notAMainlandMobile) { try MobileNumber(text) }
    }
}
