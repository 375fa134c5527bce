using System.Runtime.InteropServices;
using Bento.Runtime.Interop;

namespace Bento.Runtime.Terminal;

/// <summary>What ended a relay.</summary>
internal enum RelayEnd
{
    /// <summary>The process exited, or the last holder of the PTY's slave closed it.</summary>
    ProcessEnded,
    /// <summary>The user typed the detach keys; the process keeps running.</summary>
    Detached,
}

/// <summary>Where keystrokes go when not straight to the PTY master (attach frames them for the monitor).</summary>
internal delegate void InputSink(ReadOnlySpan<byte> keys);

/// <summary>
/// Copies the user's keystrokes to a PTY master and the PTY's output to the user's terminal, one thread, poll(2),
/// until the process behind the PTY is gone. A byte on <c>resized</c> means the user's window changed size.
/// </summary>
internal sealed class TerminalRelay(int input, int output, SafeFdHandle master)
{
    /// <summary>Ctrl+P Ctrl+Q, as in docker: leave the process running and return. Null: no detaching.</summary>
    public byte[]? DetachKeys { get; init; }

    /// <summary>Replaces writing keystrokes to <c>master</c>.</summary>
    public InputSink? WriteInput { get; init; }

    /// <summary>Called after a byte arrived on the resize pipe.</summary>
    public Action? OnResize { get; init; }

    /// <param name="processExited">Readable once the process has exited (a pidfd); null when only end-of-file on
    /// <c>master</c> tells.</param>
    public unsafe RelayEnd Run(SafeFdHandle? processExited, SafeFdHandle resized)
    {
        var buffer = new byte[16 * 1024];
        var polls = stackalloc Libc.PollFd[4];
        var inputOpen = true;
        var detachMatched = 0;
        fixed (byte* start = buffer)
        {
            while (true)
            {
                polls[0] = new Libc.PollFd { Fd = master.Fd, Events = Libc.POLLIN };
                polls[1] = new Libc.PollFd { Fd = inputOpen ? input : -1, Events = Libc.POLLIN };
                polls[2] = new Libc.PollFd { Fd = processExited?.Fd ?? -1, Events = Libc.POLLIN };
                polls[3] = new Libc.PollFd { Fd = resized.Fd, Events = Libc.POLLIN };
                Libc.PollForever(polls, 4);
                if (polls[0].IsReady)
                {
                    var got = Libc.read(master.Fd, start, (nuint)buffer.Length);
                    if (got < 0 && Marshal.GetLastPInvokeError() == Libc.EINTR)
                        continue;
                    // EIO: no process holds the slave any more.
                    if (got <= 0)
                        return RelayEnd.ProcessEnded;
                    Libc.WriteAll(output, buffer.AsSpan(0, (int)got), "the terminal");
                }
                // Before keystrokes: a command typed right after a resize must see the new size.
                if (polls[3].IsReady)
                {
                    Libc.read(resized.Fd, start, (nuint)buffer.Length);
                    OnResize?.Invoke();
                }
                if (polls[1].IsReady)
                {
                    var got = Libc.read(input, start, (nuint)buffer.Length);
                    if (got < 0 && Marshal.GetLastPInvokeError() == Libc.EINTR)
                        continue;
                    if (got <= 0)
                    {
                        inputOpen = false;
                    }
                    else
                    {
                        var keys = buffer.AsSpan(0, (int)got);
                        // With detach keys, the matcher sends what is not part of the sequence.
                        if (DetachKeys is not { } detach)
                            Send(keys);
                        else if (MatchesDetach(keys, detach, ref detachMatched))
                            return RelayEnd.Detached;
                    }
                }
                if (polls[2].IsReady)
                {
                    DrainOutput(start, buffer.Length);
                    return RelayEnd.ProcessEnded;
                }
            }
        }
    }

    /// <summary>What the process wrote just before it exited is still in the PTY: take it without waiting.</summary>
    private unsafe void DrainOutput(byte* start, int length)
    {
        var poll = new Libc.PollFd { Fd = master.Fd, Events = Libc.POLLIN };
        while (Libc.poll(&poll, 1, 0) > 0 && (poll.ReturnedEvents & Libc.POLLIN) != 0)
        {
            var got = Libc.read(master.Fd, start, (nuint)length);
            if (got <= 0)
                return;
            Libc.WriteAll(output, new ReadOnlySpan<byte>(start, (int)got), "the terminal");
        }
    }

    /// <summary>True once the whole detach sequence has been typed, possibly across reads. Keys of a partial match
    /// are held back, and sent on if the sequence breaks off, so Ctrl+P alone still reaches the shell.</summary>
    private bool MatchesDetach(Span<byte> keys, byte[] detach, ref int matched)
    {
        var pending = new List<byte>();
        foreach (var key in keys)
        {
            if (key == detach[matched])
            {
                matched++;
                if (matched < detach.Length)
                    continue;
                Send(pending.ToArray());
                return true;
            }
            pending.AddRange(detach.AsSpan(0, matched));
            matched = key == detach[0] ? 1 : 0;
            if (matched == 0)
                pending.Add(key);
        }
        Send(pending.ToArray());
        return false;
    }

    private void Send(ReadOnlySpan<byte> keys)
    {
        if (keys.IsEmpty)
            return;
        if (WriteInput is { } sink)
            sink(keys);
        else
            Libc.WriteAll(master.Fd, keys, "the container's terminal");
    }
}
