import Foundation

/// What a customer's chat message says, before it becomes a report.
public enum ChatText {
    /// Greetings people send before saying what is wrong. A message that is only one of these
    /// (punctuation, spaces and emoji aside) describes no problem and opens no order.
    static let greetings: Set<String> = ["你好", "您好", "你好呀", "您好呀", "在吗", "在不在", "有人吗", "有人在吗", "你好在吗", "您好在吗",
                                         "嗨", "哈喽", "喂", "hello", "hi", "hey", "早", "早上好", "下午好", "晚上好"]

    public static func isGreeting(_ text: String) -> Bool {
        let letters = String(text.lowercased().unicodeScalars.filter { CharacterSet.letters.contains($0) || CharacterSet.decimalDigits.contains($0) })
        return greetings.contains(letters)
    }
}
