/// Limits on the text a request asks the model to read, checked before any of it is
/// tokenised: the work of a request is bounded by its configuration, not by what a client
/// chooses to send (a 2 MB "query", a template repeated 2,000 times around 10 KB labels).
struct TextBudget: Sendable {
    /// `limits.max_text_bytes`: one text (an input, a query, a label, a filled template).
    let maxTextBytes: Int
    /// `limits.max_prompt_bytes`: every prompt one classify request builds, together.
    let maxPromptBytes: Int

    init(_ limits: AdaptCLIPConfiguration.Limits) {
        maxTextBytes = limits.maxTextBytes
        maxPromptBytes = limits.maxPromptBytes
    }

    /// Refuses `text` when it is longer than one text may be, naming `field`.
    func check(_ text: String, field: String) throws(APIError) {
        let bytes = text.utf8.count
        guard bytes <= maxTextBytes else {
            throw APIError(status: 413, code: "text-too-long", title: "Text too long",
                           detail: "'\(field)' is \(bytes) bytes of UTF-8; the limit is \(maxTextBytes) (limits.max_text_bytes)",
                           field: field)
        }
    }

    func check(_ texts: [String], field: String) throws(APIError) {
        for (index, text) in texts.enumerated() { try check(text, field: "\(field)[\(index)]") }
    }

    /// Refuses a template whose prompts, filled with `labels`, would be too long, one by one or
    /// together, before any prompt is built: the size is computed from the template's `{}`
    /// count, so 2,000 `{}` around a 10 KB label cost nothing to refuse. The labels themselves
    /// are checked where the request is read (`check(_:field:)`), for every classify path.
    func checkPrompts(template: String, labels: [String]) throws(APIError) {
        try check(template, field: "template")
        let holes = template.utf8.count - template.replacingOccurrences(of: "{}", with: "").utf8.count
        let slots = holes / 2
        let fixed = template.utf8.count - holes
        var total = 0
        for (index, label) in labels.enumerated() {
            let (scaled, overflow) = label.utf8.count.multipliedReportingOverflow(by: slots)
            let filled = overflow ? Int.max : fixed.addingReportingOverflow(scaled).partialValue
            guard !overflow, filled <= maxTextBytes else {
                throw APIError(status: 413, code: "text-too-long", title: "Text too long",
                               detail: "'template' filled with 'labels[\(index)]' would be \(overflow ? "over \(Int.max)" : "\(filled)") bytes; the limit is \(maxTextBytes) (limits.max_text_bytes)",
                               field: "template")
            }
            total += filled
            guard total <= maxPromptBytes else {
                throw APIError(status: 413, code: "prompt-too-large", title: "Prompts too large",
                               detail: "'template' filled with the \(labels.count) labels would make more than \(maxPromptBytes) bytes of prompts (limits.max_prompt_bytes)",
                               field: "template")
            }
        }
    }
}
