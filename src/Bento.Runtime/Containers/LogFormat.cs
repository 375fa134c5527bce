using System.Buffers;
using System.Text;
using System.Text.Json;

namespace Bento.Runtime.Containers;

/// <summary>log.jsonl: one JSON object per line, {"time": ISO 8601 UTC, "stream": "stdout"|"stderr", "line": text}.</summary>
internal static class LogFormat
{
    /// <summary>Longer lines are split, as Docker's json-file driver splits at 16 KiB.</summary>
    public const int MaxLineBytes = 16 * 1024;

    private static readonly JsonEncodedText TimeName = JsonEncodedText.Encode("time");
    private static readonly JsonEncodedText StreamName = JsonEncodedText.Encode("stream");
    private static readonly JsonEncodedText LineName = JsonEncodedText.Encode("line");

    public static void Append(ArrayBufferWriter<byte> output, DateTime utcTime, string stream, ReadOnlySpan<byte> line)
    {
        using (var writer = new Utf8JsonWriter(output, new JsonWriterOptions { SkipValidation = true }))
        {
            writer.WriteStartObject();
            writer.WriteString(TimeName, utcTime);
            writer.WriteString(StreamName, stream);
            // Output need not be UTF-8: invalid bytes become U+FFFD rather than failing the log.
            writer.WriteString(LineName, Encoding.UTF8.GetString(line));
            writer.WriteEndObject();
        }
        output.Write("\n"u8);
    }

    public static LogEntry? Parse(ReadOnlySpan<byte> line)
    {
        try
        {
            var reader = new Utf8JsonReader(line);
            DateTimeOffset? time = null;
            string? stream = null, text = null;
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
                return null;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var name = reader.GetString();
                reader.Read();
                switch (name)
                {
                    case "time": time = reader.GetDateTimeOffset(); break;
                    case "stream": stream = reader.GetString(); break;
                    case "line": text = reader.GetString(); break;
                    default: reader.Skip(); break;
                }
            }
            return time is { } t && stream is not null && text is not null ? new LogEntry(t, stream, text) : null;
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException)
        {
            return null;
        }
    }
}
