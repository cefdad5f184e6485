using System.Runtime.InteropServices;

namespace Ebpf.ProtocolTracing.Interop;

/// <summary>
/// One map of a <see cref="BpfObject"/>. Sizing calls belong before load; element calls after.
/// Element calls hold the object open for their duration, so a concurrent dispose cannot close the
/// map's fd under them (and let another fd take its number).
/// </summary>
internal sealed unsafe class BpfMap
{
    private readonly BpfObject owner;
    private readonly nint map;

    internal BpfMap(BpfObject owner, nint map, string name)
    {
        this.owner = owner;
        this.map = map;
        Name = name;
    }

    /// <summary>The map's name in the object.</summary>
    public string Name { get; }

    /// <summary>The map's capacity (bytes for a ring buffer).</summary>
    public uint MaxEntries => LibBpf.MapMaxEntries(map);

    /// <summary>The size of one value (for per-CPU maps: of one CPU's value).</summary>
    public uint ValueSize => LibBpf.MapValueSize(map);

    /// <summary>The map's fd (valid after load, while the object is open).</summary>
    public int Fd => LibBpf.MapFd(map);

    /// <summary>Sets the capacity before load.</summary>
    /// <returns>0, or the errno of the failure.</returns>
    public int SetMaxEntries(uint maxEntries)
    {
        var result = LibBpf.MapSetMaxEntries(map, maxEntries);
        return result == 0 ? 0 : NativeError.FromResult(result);
    }

    /// <summary>Whether load creates the map (a map no program uses can be left out).</summary>
    /// <returns>0, or the errno of the failure.</returns>
    public int SetAutoCreate(bool autoCreate)
    {
        var result = LibBpf.MapSetAutoCreate(map, autoCreate);
        return result == 0 ? 0 : NativeError.FromResult(result);
    }

    /// <summary>Creates or replaces the element <paramref name="key"/>.</summary>
    /// <returns>0, or the errno of the failure.</returns>
    public int Update<TKey, TValue>(in TKey key, in TValue value)
        where TKey : unmanaged
        where TValue : unmanaged
    {
        var added = false;
        owner.Handle.DangerousAddRef(ref added);
        try
        {
            fixed (TKey* keyPointer = &key)
            fixed (TValue* valuePointer = &value)
            {
                var result = LibBpf.MapUpdateElement(Fd, keyPointer, valuePointer, flags: 0 /* BPF_ANY */);
                return result == 0 ? 0 : NativeError.FromResult(result);
            }
        }
        finally
        {
            Release(added);
        }
    }

    /// <summary>Removes the element <paramref name="key"/>.</summary>
    /// <returns>0, ENOENT when there was none, or the errno of another failure.</returns>
    public int Delete<TKey>(in TKey key)
        where TKey : unmanaged
    {
        var added = false;
        owner.Handle.DangerousAddRef(ref added);
        try
        {
            fixed (TKey* keyPointer = &key)
            {
                var result = LibBpf.MapDeleteElement(Fd, keyPointer);
                return result == 0 ? 0 : NativeError.FromResult(result);
            }
        }
        finally
        {
            Release(added);
        }
    }

    /// <summary>
    /// Copies the value of <paramref name="key"/> into <paramref name="value"/>, which must hold a whole
    /// value (for per-CPU maps: one 8-byte-aligned value per possible CPU).
    /// </summary>
    /// <returns>0, ENOENT when there is no such element, or the errno of another failure.</returns>
    public int Lookup<TKey>(in TKey key, Span<byte> value)
        where TKey : unmanaged
    {
        var added = false;
        owner.Handle.DangerousAddRef(ref added);
        try
        {
            fixed (TKey* keyPointer = &key)
            fixed (byte* valuePointer = value)
            {
                var result = LibBpf.MapLookupElement(Fd, keyPointer, valuePointer);
                return result == 0 ? 0 : NativeError.FromResult(result);
            }
        }
        finally
        {
            Release(added);
        }
    }

    /// <summary>
    /// The key after <paramref name="key"/> (or the first key when <paramref name="first"/>), to walk a hash map.
    /// </summary>
    /// <returns>0, ENOENT when there is no further key, or the errno of another failure.</returns>
    public int GetNextKey<TKey>(in TKey key, bool first, out TKey nextKey)
        where TKey : unmanaged
    {
        var added = false;
        owner.Handle.DangerousAddRef(ref added);
        try
        {
            TKey next = default;
            fixed (TKey* keyPointer = &key)
            {
                var result = LibBpf.MapGetNextKey(Fd, first ? null : keyPointer, &next);
                nextKey = next;
                return result == 0 ? 0 : NativeError.FromResult(result);
            }
        }
        finally
        {
            Release(added);
        }
    }

    private void Release(bool added)
    {
        if (added)
        {
            owner.Handle.DangerousRelease();
        }
    }

    /// <inheritdoc />
    public override string ToString() => Name;
}
