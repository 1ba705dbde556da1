using System.Text;
using Microsoft.AspNetCore.WebUtilities;
using WebApi.Evidence;

namespace WebApi.Tests.Evidence;

public sealed class FileNamesTests
{
    [Theory]
    [InlineData("form-data; name=\"file\"; filename=\"evidence.png\"", "evidence.png")]
    [InlineData("form-data; name=\"file\"; filename=\"fallback.pdf\"; filename*=UTF-8''%E2%82%AC%20rates.pdf", "€ rates.pdf")]
    [InlineData("form-data; name=\"note\"", null)]
    [InlineData("attachment; filename=\"evidence.png\"", null)]
    [InlineData("", null)]
    public void A_file_part_gives_its_name_and_other_parts_none(string header, string? expected)
    {
        Assert.Equal(expected, FileNames.FromContentDisposition(header));
    }

    // bench/fuzz (filename) found it: ASP.NET Core parses a filename* without a value, then throws ArgumentNullException
    // when asked for the file name, which made the upload endpoint answer 500.
    [Theory]
    [InlineData("form-data; n|ame=\"file\";e=\"fadf\"; filenamE*")]
    [InlineData("form-data; name=\"file\"; filename*")]
    [InlineData("form-data; name=\"file\"; filename=\"a.png\"; filename*")]
    public void A_filename_star_without_a_value_is_no_file(string header)
    {
        Assert.Null(FileNames.FromContentDisposition(header));
    }

    [Fact]
    public async Task The_multipart_reader_hands_such_a_header_over_as_sent()
    {
        const string Header = "form-data; name=\"file\"; filename*";
        var body = $"--b\r\nContent-Disposition: {Header}\r\nContent-Type: image/png\r\n\r\nx\r\n--b--\r\n";
        var reader = new MultipartReader("b", new MemoryStream(Encoding.UTF8.GetBytes(body)));

        var section = await reader.ReadNextSectionAsync();

        Assert.Equal(Header, section!.ContentDisposition);
        Assert.Null(FileNames.FromContentDisposition(section.ContentDisposition));
    }

    [Theory]
    [InlineData("../../etc/passwd", "passwd")]
    [InlineData("..\\..\\boot.ini", "boot.ini")]
    [InlineData("  ..hidden.txt", "hidden.txt")]
    [InlineData("gpj.\u202Eexe", "gpj.exe")]
    [InlineData("", "evidence")]
    [InlineData(null, "evidence")]
    public void Sanitize_keeps_a_harmless_last_segment(string? name, string expected)
    {
        Assert.Equal(expected, FileNames.Sanitize(name));
    }
}
