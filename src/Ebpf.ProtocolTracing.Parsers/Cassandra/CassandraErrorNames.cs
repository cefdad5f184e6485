namespace Ebpf.ProtocolTracing.Cassandra;

/// <summary>Names of ERROR codes (native_protocol_v4.spec, section 9; v5 adds CDC_write_failure and CAS_write_unknown).</summary>
public static class CassandraErrorNames
{
    /// <summary>The code's name as the specification writes it, or <c>0x…</c> for codes it does not list.</summary>
    public static string Name(int code) => code switch
    {
        0x0000 => "Server_error",
        0x000A => "Protocol_error",
        0x0100 => "Bad_credentials",
        0x1000 => "Unavailable",
        0x1001 => "Overloaded",
        0x1002 => "Is_bootstrapping",
        0x1003 => "Truncate_error",
        0x1100 => "Write_timeout",
        0x1200 => "Read_timeout",
        0x1300 => "Read_failure",
        0x1400 => "Function_failure",
        0x1500 => "Write_failure",
        0x1600 => "CDC_write_failure",
        0x1700 => "CAS_write_unknown",
        0x2000 => "Syntax_error",
        0x2100 => "Unauthorized",
        0x2200 => "Invalid",
        0x2300 => "Config_error",
        0x2400 => "Already_exists",
        0x2500 => "Unprepared",
        _ => $"0x{code:X4}",
    };
}
