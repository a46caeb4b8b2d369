package dev.blindspot.report;

import java.util.List;

/**
 * A table of the report, rendered the same way to Markdown and to HTML.
 *
 * @param title  heading above it
 * @param header column names; the first column names the rows
 * @param rows   cells as display text
 * @param note   a sentence under it (how to read it), or empty
 */
public record Table(String title, List<String> header, List<List<String>> rows, String note) {

    public String markdown() {
        StringBuilder b = new StringBuilder("#### ").append(title).append("\n\n");
        b.append("| ").append(String.join(" | ", header.stream().map(Table::mdEscape).toList())).append(" |\n");
        b.append("|").append("---|".repeat(header.size())).append("\n");
        for (List<String> r : rows) {
            b.append("| ").append(String.join(" | ", r.stream().map(Table::mdEscape).toList())).append(" |\n");
        }
        if (!note.isEmpty()) {
            b.append("\n").append(note).append("\n");
        }
        return b.append("\n").toString();
    }

    public String html() {
        StringBuilder b = new StringBuilder("<h4>").append(escape(title)).append("</h4>\n<table>\n<thead><tr>");
        header.forEach(h -> b.append("<th>").append(escape(h)).append("</th>"));
        b.append("</tr></thead>\n<tbody>\n");
        for (List<String> r : rows) {
            b.append("<tr>");
            for (int i = 0; i < r.size(); i++) {
                String tag = i == 0 ? "th" : "td";
                b.append('<').append(tag).append('>').append(escape(r.get(i))).append("</").append(tag).append('>');
            }
            b.append("</tr>\n");
        }
        b.append("</tbody>\n</table>\n");
        if (!note.isEmpty()) {
            b.append("<p class=\"note\">").append(escape(note)).append("</p>\n");
        }
        return b.toString();
    }

    static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }

    private static String mdEscape(String s) {
        return s.replace("|", "\\|");
    }
}
