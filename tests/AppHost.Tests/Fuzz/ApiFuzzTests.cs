using System.Globalization;
using CsCheck;
using Xunit.Abstractions;

namespace AppHost.Tests.Fuzz;

/// <summary>
/// An OpenAPI-driven fuzz run against the whole stack, through nginx over HTTPS: for every operation in the document the
/// stack serves, CsCheck generates requests that mix valid-by-schema bodies and parameters (with real ids) with
/// schema-violating and boundary ones, sent mostly as a team maintainer with a personal access token (a session for the
/// operations that take only a session). Every answer must be below 500, with a status the operation declares, a
/// declared media type, and a JSON body its declared schema accepts. A failure is shrunk to its smallest request and
/// printed with CsCheck's seed; <c>CsCheck_Seed=... dotnet test --filter FullyQualifiedName~Fuzz</c> replays it, and
/// <c>CsCheck_Iter</c> changes the number of cases per operation.
/// </summary>
[Collection(StackTestGroup.Name)]
public sealed class ApiFuzzTests(StackFixture stack, ITestOutputHelper output)
{
    /// <summary>Cases per operation unless <c>CsCheck_Iter</c> says otherwise: about a minute for the whole document.</summary>
    private const int CasesPerOperation = 40;

    /// <summary>
    /// Operations the run does not send, each with the reason; each must be in the document, so the list cannot go
    /// stale. None at present: the session-only ones (sign-out, passkey registration, the account's tokens, which
    /// refuse tokens by design) are sent with the maintainer's session, and the passkey ceremonies answer 400 or 401
    /// to a credential they did not ask for.
    /// </summary>
    internal static readonly Dictionary<string, string> Excluded = new(StringComparer.Ordinal);

    [Fact]
    public async Task Every_operation_answers_generated_and_boundary_input_below_500_with_a_declared_status_type_and_schema()
    {
        using var world = await FuzzWorld.CreateAsync(stack);
        using var http = ProxyClient.Create(stack.App);
        var contract = await ApiContract.FetchAsync(http);
        var client = new FuzzClient(http, world);
        var iterations = Environment.GetEnvironmentVariable("CsCheck_Iter") is null ? CasesPerOperation : Check.Iter;

        var failures = new List<string>();
        var covered = new List<string>();
        foreach (var operation in contract.Operations.OrderBy(RunOrder).ThenBy(o => o.Key, StringComparer.Ordinal))
        {
            if (Excluded.ContainsKey(operation.Key))
            {
                continue;
            }

            var before = client.Sent;
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            var statuses = new SortedDictionary<int, int>();
            try
            {
                await RequestGen.For(operation, world).SampleAsync(
                    async request =>
                    {
                        var response = await client.SendAsync(request);
                        statuses[response.Status] = statuses.GetValueOrDefault(response.Status) + 1;
                        var violations = ResponseCheck.Violations(operation, response);
                        if (violations.Count > 0)
                        {
                            // A 5xx is a bug whose cause is in the server's log, which goes with the stack.
                            var serverLog = response.Status >= 500 ? await Product.WebApiLog.ForProblemAsync(stack.DataDirectory, response.Text) : "";
                            throw new FuzzViolationException(
                                $"{string.Join("\n", violations)}\n  answer: {response.Status} {response.MediaType} {Shorten(response.Text)}{serverLog}");
                        }
                    },
                    iter: iterations,
                    threads: 1,
                    print: request => request.ToString());
            }
            catch (Exception exception) when (exception is not OutOfMemoryException)
            {
                failures.Add($"{operation.Key}:\n{exception.Message}\n{exception.InnerException?.Message}");
            }

            if (client.Sent > before)
            {
                covered.Add(operation.Key);
            }

            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{operation.Key}: {client.Sent - before} requests in {System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds:F1} s, answered {string.Join(" ", statuses.Select(s => $"{s.Key}x{s.Value}"))}"));
        }

        output.WriteLine($"{covered.Count} of {contract.Operations.Count} operations, {client.Sent} requests, {failures.Count} failing");
        Assert.Empty(Excluded.Keys.Except(contract.Operations.Select(o => o.Key)));
        Assert.Equal(contract.Operations.Count - Excluded.Count, covered.Count);
        Assert.True(failures.Count == 0, $"{failures.Count} of {covered.Count} operations answered against their document:\n\n" + string.Join("\n\n", failures));
    }

    /// <summary>Reads first, then writes, deletions last, and last of all the member removal that may take the maintainer out of the team.</summary>
    private static int RunOrder(ApiOperation operation) => operation.Method switch
    {
        "GET" => 0,
        "POST" => 1,
        "PUT" => 2,
        "PATCH" => 3,
        "DELETE" when operation.Path.Contains("/members/", StringComparison.Ordinal) => 5,
        _ => 4,
    };

    private static string Shorten(string text) =>
        text.Length <= 500 ? text : text[..500] + string.Create(CultureInfo.InvariantCulture, $"... ({text.Length} characters)");
}

/// <summary>An answer that breaks the operation's document.</summary>
internal sealed class FuzzViolationException(string message) : Exception(message);
