using System.Security.Cryptography;

namespace WebApi.Evidence;

/// <summary>The upload failed a check while streaming; nothing of it is kept.</summary>
public sealed class EvidenceRejectedException(int statusCode, string message) : Exception(message)
{
    public int StatusCode { get; } = statusCode;
}

/// <summary>
/// The upload as the blob client reads it: the sniffed head first, then the rest of the request body, counted
/// (past the limit it throws, so a lying Content-Length cannot slip a large file through), hashed, and for text
/// types checked to stay text. Nothing is buffered beyond the blob client's own block.
/// </summary>
public sealed class InspectingStream(byte[] head, Stream rest, long maxBytes, bool mustStayText) : Stream
{
    private readonly IncrementalHash _sha256 = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private int _headOffset;
    private bool _finished;

    public long BytesRead { get; private set; }

    public string Sha256 { get; private set; } = "";

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => BytesRead; set => throw new NotSupportedException(); }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        int read;
        if (_headOffset < head.Length)
        {
            read = Math.Min(buffer.Length, head.Length - _headOffset);
            head.AsMemory(_headOffset, read).CopyTo(buffer);
            _headOffset += read;
        }
        else
        {
            read = await rest.ReadAsync(buffer, cancellationToken);
        }

        var chunk = buffer.Span[..read];
        BytesRead += read;
        if (BytesRead > maxBytes)
        {
            throw new EvidenceRejectedException(StatusCodes.Status413PayloadTooLarge, $"The file is larger than the {maxBytes} bytes allowed.");
        }

        if (mustStayText && !FileSignatures.IsTextBytes(chunk))
        {
            throw new EvidenceRejectedException(StatusCodes.Status415UnsupportedMediaType, "The file starts as text but contains binary data.");
        }

        _sha256.AppendData(chunk);
        if (read == 0 && !_finished)
        {
            _finished = true;
            Sha256 = Convert.ToHexStringLower(_sha256.GetHashAndReset());
        }

        return read;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    // The request body must not be read synchronously (Kestrel forbids it); the blob client reads asynchronously.
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _sha256.Dispose();
        }

        base.Dispose(disposing);
    }
}
