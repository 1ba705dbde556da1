namespace ServiceDefaults.Logging;

/// <summary>JSON lines to the process's standard output, where an orchestrator or a container runtime collects them.</summary>
internal sealed class StandardOutputSink : BackgroundLineWriter
{
    private const int BufferSize = 64 * 1024;

    private readonly BufferedStream output;

    public StandardOutputSink(Stream standardOutput)
    {
        output = new BufferedStream(standardOutput, BufferSize);
        StartWriting();
    }

    protected override void Write(byte[] line) => output.Write(line);

    protected override void Flush() => output.Flush();

    // Whoever read the output is gone (a closed pipe); there is nobody left to tell, and the file still has the lines.
    protected override void OnWriteFailed(IOException exception)
    {
    }

    protected override void CloseDestination()
    {
        try
        {
            output.Flush();
        }
        catch (IOException)
        {
            // As above: nobody is reading any more.
        }
    }
}
