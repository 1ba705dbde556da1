namespace Scanner.Grading;

/// <summary>Observatory's letters in order (src/grader/charts.js GRADE_CHART), for comparing grades and thresholds.</summary>
public static class GradeScale
{
    /// <summary>Best first.</summary>
    public static IReadOnlyList<string> Letters { get; } = ["A+", "A", "A-", "B+", "B", "B-", "C+", "C", "C-", "D+", "D", "D-", "F"];

    /// <summary>Higher is better: A+ is 12, F is 0; -1 for an unknown letter.</summary>
    public static int Rank(string letter)
    {
        var index = Letters.ToList().FindIndex(known => known.Equals(letter.Trim(), StringComparison.OrdinalIgnoreCase));
        return index < 0 ? -1 : Letters.Count - 1 - index;
    }

    public static bool TryParse(string? text, out string letter)
    {
        letter = text is null ? "" : Letters.FirstOrDefault(known => known.Equals(text.Trim(), StringComparison.OrdinalIgnoreCase)) ?? "";
        return letter.Length > 0;
    }

    /// <summary>Whether <paramref name="letter"/> is at least <paramref name="minimum"/>.</summary>
    public static bool Meets(string letter, string minimum) => Rank(letter) >= Rank(minimum);
}
