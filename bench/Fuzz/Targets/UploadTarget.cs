using System.Security.Cryptography;
using Microsoft.AspNetCore.Http;
using WebApi.Evidence;

namespace ReadinessAspire.Fuzz;

/// <summary>
/// An evidence upload's bytes as the upload endpoint handles them: the first <see cref="FileSignatures.SniffLength"/>
/// bytes decide the type (<see cref="FileSignatures.Detect"/>), then <see cref="InspectingStream"/> streams the whole file
/// (in reads of varying size) with its size limit and, for text types, its check that the rest stays text. Detect may
/// only answer a type or null; the stream may only refuse with <see cref="EvidenceRejectedException"/> 413 or 415, each
/// when it should; otherwise it must count and hash every byte.
/// </summary>
internal static class UploadTarget
{
    // Small, so that afl's inputs (a few KiB at most) reach the size limit too.
    private const long MaxBytes = 4096;

    private static readonly int[] ReadSizes = [1, 3, 512, 7, 8192, 64];

    public static FuzzTarget Target { get; } = new(
        "upload",
        "evidence upload type sniffing: FileSignatures.Detect + InspectingStream; crash = any exception but EvidenceRejectedException 413/415 where due, a text type for markup or binary, or a wrong count or hash",
        Run,
        ["WebApi.dll:WebApi.Evidence"]);

    private static void Run(byte[] input)
    {
        // EvidenceEndpoints.ReadHeadAsync and UploadAsync: the head, complete when the file is shorter than it.
        var head = input[..Math.Min(input.Length, FileSignatures.SniffLength)];
        var contentType = FileSignatures.Detect(head, complete: head.Length < FileSignatures.SniffLength);
        if (contentType is null)
        {
            return;
        }

        FuzzTargets.Require(FileSignatures.Allowed.Contains(contentType), $"Detect answered {contentType}, which is not an allowed type");
        var binary = contentType is "image/png" or "image/jpeg" or "application/pdf";
        if (!binary)
        {
            FuzzTargets.Require(FileSignatures.IsTextBytes(head), $"Detect called binary bytes {contentType}");
            var text = FuzzTargets.Utf8(head).TrimStart('\uFEFF').TrimStart();
            FuzzTargets.Require(!text.StartsWith('<'), $"Detect called markup {contentType}");
        }

        using var rest = new MemoryStream(input, head.Length, input.Length - head.Length, writable: false);
        using var content = new InspectingStream(head, rest, MaxBytes, mustStayText: !binary);
        var buffer = new byte[8192];
        try
        {
            for (var i = 0; ; i++)
            {
                var read = content.ReadAsync(buffer.AsMemory(0, ReadSizes[i % ReadSizes.Length])).AsTask().GetAwaiter().GetResult();
                if (read == 0)
                {
                    break;
                }
            }
        }
        catch (EvidenceRejectedException rejected) when (rejected.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            FuzzTargets.Require(input.Length > MaxBytes, $"413 for {input.Length} bytes, under the {MaxBytes} allowed");
            return;
        }
        catch (EvidenceRejectedException rejected) when (rejected.StatusCode == StatusCodes.Status415UnsupportedMediaType)
        {
            FuzzTargets.Require(!binary && !FileSignatures.IsTextBytes(input), "415 for a file that is text throughout");
            return;
        }

        FuzzTargets.Require(input.Length <= MaxBytes, $"{input.Length} bytes accepted, over the {MaxBytes} allowed");
        FuzzTargets.Require(binary || FileSignatures.IsTextBytes(input), "a text file with binary bytes after its head accepted");
        FuzzTargets.Require(content.BytesRead == input.Length, $"counted {content.BytesRead} bytes of {input.Length}");
        FuzzTargets.Require(content.Sha256 == Convert.ToHexStringLower(SHA256.HashData(input)), "the SHA-256 is not the file's");
    }
}
