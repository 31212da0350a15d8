import PitstopCore
import Testing

@Suite struct OutboundAddressTests {
    @Test(arguments: [
        ("127.0.0.1", OutboundAddress.Refusal.loopback), ("127.255.0.9", .loopback), ("::1", .loopback),
        ("10.0.0.5", .privateNetwork), ("172.16.0.1", .privateNetwork), ("172.31.255.255", .privateNetwork),
        ("192.168.1.10", .privateNetwork), ("100.64.0.1", .privateNetwork), ("fd12:3456::1", .privateNetwork),
        ("169.254.169.254", .linkLocal), ("fe80::1", .linkLocal),
        ("0.0.0.0", .unspecified), ("::", .unspecified),
        ("224.0.0.1", .multicast), ("ff02::1", .multicast),
        ("255.255.255.255", .reserved), ("192.0.2.7", .reserved), ("2001:db8::1", .reserved), ("198.18.0.1", .reserved),
        // IPv4 wrapped in IPv6 is judged as the IPv4 address it carries.
        ("::ffff:127.0.0.1", .loopback), ("::ffff:10.1.2.3", .privateNetwork), ("64:ff9b::a9fe:a9fe", .linkLocal),
    ])
    func refused(address: String, reason: OutboundAddress.Refusal) {
        #expect(OutboundAddress.refusal(address) == reason)
    }

    @Test(arguments: ["1.2.3.4", "8.8.8.8", "172.15.255.255", "172.32.0.1", "100.63.255.255", "100.128.0.1", "169.253.1.1",
                      "2400:3200::1", "::ffff:1.2.3.4", "223.255.255.255"])
    func allowed(address: String) {
        #expect(OutboundAddress.refusal(address) == nil)
    }

    @Test func namesAreNotAddresses() {
        #expect(!OutboundAddress.isNumeric("localhost"))
        #expect(!OutboundAddress.isNumeric("1.2.3"))
        #expect(OutboundAddress.refusal("example.com") == nil)
    }
}
