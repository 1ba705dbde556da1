using System.Globalization;
using System.Text;
using System.Xml;
using System.Xml.Linq;

namespace Scanner.Reports;

/// <summary>JUnit XML for CI test tabs: one testsuite per scan, one testcase per finding, a failure element for each failing one.</summary>
public static class JUnitReport
{
    public static string Render(ScanReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var seconds = report.Duration.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture);
        var suite = new XElement("testsuite",
            new XAttribute("name", XmlText($"readiness scan {report.Target.Url}")),
            new XAttribute("tests", report.Findings.Count),
            new XAttribute("failures", report.Findings.Count(finding => !finding.Passed)),
            new XAttribute("errors", 0),
            new XAttribute("skipped", 0),
            new XAttribute("time", seconds),
            new XAttribute("timestamp", report.StartedAt.UtcDateTime.ToString("s", CultureInfo.InvariantCulture)),
            new XElement("properties",
                Property("observatoryGrade", report.Observatory.Grade.Letter),
                Property("observatoryScore", report.Observatory.Grade.Score.ToString(CultureInfo.InvariantCulture)),
                Property("profileGrade", report.ProfileGrade.Letter),
                Property("checklist", $"{report.Checklist.Passed}/{report.Checklist.Total}")),
            report.Findings.Select(TestCase));
        var document = new XDocument(new XDeclaration("1.0", "utf-8", null), new XElement("testsuites", suite));
        return $"{document.Declaration}\n{document}\n";
    }

    private static XElement Property(string name, string value) => new("property", new XAttribute("name", name), new XAttribute("value", value));

    private static XElement TestCase(Finding finding)
    {
        var testCase = new XElement("testcase",
            new XAttribute("classname", $"readiness.{finding.ChecklistItem}"),
            new XAttribute("name", $"{finding.Id}: {finding.Title}"));
        if (!finding.Passed)
        {
            testCase.Add(new XElement("failure",
                new XAttribute("message", XmlText(finding.Evidence)),
                new XAttribute("type", finding.Severity.ToString()),
                XmlText($"Seen: {finding.Evidence}\nFix: {(finding.Fix.Length > 0 ? finding.Fix : "(none: informational)")}")));
        }
        else
        {
            testCase.Add(new XElement("system-out", XmlText(finding.Evidence)));
        }

        return testCase;
    }

    /// <summary>
    /// <paramref name="text"/> with each character XML 1.0 cannot hold (C0 controls but tab and newlines, lone surrogates,
    /// U+FFFE, U+FFFF) replaced by U+FFFD. Evidence quotes what the site sent, and HttpClient passes such bytes through
    /// in header values; XLinq throws on them.
    /// </summary>
    private static string XmlText(string text)
    {
        StringBuilder? clean = null;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (XmlConvert.IsXmlChar(c))
            {
                clean?.Append(c);
            }
            else if (i + 1 < text.Length && XmlConvert.IsXmlSurrogatePair(text[i + 1], c))
            {
                clean?.Append(c).Append(text[i + 1]);
                i++;
            }
            else
            {
                clean ??= new StringBuilder(text.Length).Append(text, 0, i);
                clean.Append('\uFFFD');
            }
        }

        return clean?.ToString() ?? text;
    }
}
