namespace Ebpf.ProtocolTracing.Fuzz;

/// <summary>
/// Bounds what one input may allocate: a fixed allowance plus a multiple of the input's size. Lengths
/// claimed by the input (a gap of 4 GiB, a body of 2 GiB) must never turn into allocations of that size.
/// </summary>
internal readonly struct AllocationBudget
{
    private const long FixedAllowance = 8L * 1024 * 1024;
    private const long PerInputByte = 512;

    private readonly long _start;
    private readonly long _limit;

    private AllocationBudget(long start, long limit)
    {
        _start = start;
        _limit = limit;
    }

    public static AllocationBudget Start(int inputLength) =>
        new(GC.GetTotalAllocatedBytes(precise: false), FixedAllowance + (PerInputByte * inputLength));

    public void Check(string where)
    {
        var used = GC.GetTotalAllocatedBytes(precise: false) - _start;
        if (used > _limit)
        {
            throw new FuzzFinding($"{where}: allocated {used:N0} bytes for this input, more than the budget of {_limit:N0} bytes.");
        }
    }
}
