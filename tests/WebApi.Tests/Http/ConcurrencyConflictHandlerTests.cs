using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using WebApi.Http;

namespace WebApi.Tests.Http;

public sealed class ConcurrencyConflictHandlerTests
{
    // What PostgreSQL answers when text holds a NUL: wapiti (bench/wapiti) sent confirm-email a userId of "/e%00" and got 500.
    private static PostgresException NulInText() =>
        new("invalid byte sequence for encoding \"UTF8\": 0x00", "ERROR", "ERROR", PostgresErrorCodes.CharacterNotInRepertoire);

    // And in jsonb (the audit trail's copy of a row whose text holds a NUL).
    private static PostgresException NulInJson() =>
        new("unsupported Unicode escape sequence", "ERROR", "ERROR", PostgresErrorCodes.UntranslatableCharacter);

    public static TheoryData<Exception> NulRefusals => new()
    {
        NulInText(),
        new DbUpdateException("An error occurred while saving the entity changes.", NulInText()),
        new DbUpdateException("An error occurred while saving the entity changes.", NulInJson()),
    };

    [Theory]
    [MemberData(nameof(NulRefusals))]
    public async Task Text_the_database_cannot_store_is_the_clients_400(Exception refusal)
    {
        var (handled, context) = await HandleAsync(refusal);

        Assert.True(handled);
        Assert.Equal(StatusCodes.Status400BadRequest, context.Response.StatusCode);
        context.Response.Body.Position = 0;
        Assert.Contains("cannot be stored (NUL)", await new StreamReader(context.Response.Body).ReadToEndAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_row_referring_to_one_deleted_meanwhile_is_the_clients_409()
    {
        var deletedMeanwhile = new PostgresException(
            "insert or update on table \"Services\" violates foreign key constraint \"FK_Services_Teams_TeamId\"", "ERROR", "ERROR",
            PostgresErrorCodes.ForeignKeyViolation);

        var (handled, context) = await HandleAsync(new DbUpdateException("An error occurred while saving the entity changes.", deletedMeanwhile));

        Assert.True(handled);
        Assert.Equal(StatusCodes.Status409Conflict, context.Response.StatusCode);
        context.Response.Body.Position = 0;
        Assert.Contains("deleted meanwhile", await new StreamReader(context.Response.Body).ReadToEndAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Other_database_errors_are_left_to_the_next_handler()
    {
        var (handled, _) = await HandleAsync(new PostgresException("syntax error", "ERROR", "ERROR", PostgresErrorCodes.SyntaxError));

        Assert.False(handled);
    }

    private static async Task<(bool Handled, HttpContext Context)> HandleAsync(Exception exception)
    {
        var services = new ServiceCollection().AddLogging().AddProblemDetails().BuildServiceProvider();
        var context = new DefaultHttpContext { RequestServices = services };
        context.Response.Body = new MemoryStream();
        var handler = new ConcurrencyConflictHandler(services.GetRequiredService<IProblemDetailsService>());
        return (await handler.TryHandleAsync(context, exception, CancellationToken.None), context);
    }
}
