using System.Diagnostics.CodeAnalysis;

namespace Ebpf.ProtocolTracing.MySql;

/// <summary>
/// Column and parameter types of the wire protocol (<c>enum_field_types</c>,
/// https://dev.mysql.com/doc/dev/mysql-server/latest/field__types_8h.html).
/// </summary>
[SuppressMessage("Naming", "CA1720:Identifiers should not contain type names", Justification = "The protocol's own names (MYSQL_TYPE_LONG, MYSQL_TYPE_DOUBLE, …).")]
public enum MySqlFieldType : byte
{
    /// <summary>DECIMAL (old form).</summary>
    Decimal = 0x00,

    /// <summary>TINYINT, 1 byte.</summary>
    Tiny = 0x01,

    /// <summary>SMALLINT, 2 bytes.</summary>
    Short = 0x02,

    /// <summary>INT, 4 bytes.</summary>
    Long = 0x03,

    /// <summary>FLOAT, 4 bytes.</summary>
    Float = 0x04,

    /// <summary>DOUBLE, 8 bytes.</summary>
    Double = 0x05,

    /// <summary>NULL.</summary>
    Null = 0x06,

    /// <summary>TIMESTAMP.</summary>
    Timestamp = 0x07,

    /// <summary>BIGINT, 8 bytes.</summary>
    LongLong = 0x08,

    /// <summary>MEDIUMINT (sent as 4 bytes).</summary>
    Int24 = 0x09,

    /// <summary>DATE.</summary>
    Date = 0x0a,

    /// <summary>TIME.</summary>
    Time = 0x0b,

    /// <summary>DATETIME.</summary>
    DateTime = 0x0c,

    /// <summary>YEAR (sent as 2 bytes).</summary>
    Year = 0x0d,

    /// <summary>VARCHAR.</summary>
    VarChar = 0x0f,

    /// <summary>BIT.</summary>
    Bit = 0x10,

    /// <summary>JSON.</summary>
    Json = 0xf5,

    /// <summary>DECIMAL (new form, sent as text).</summary>
    NewDecimal = 0xf6,

    /// <summary>ENUM.</summary>
    Enum = 0xf7,

    /// <summary>SET.</summary>
    Set = 0xf8,

    /// <summary>TINYBLOB/TINYTEXT.</summary>
    TinyBlob = 0xf9,

    /// <summary>MEDIUMBLOB/MEDIUMTEXT.</summary>
    MediumBlob = 0xfa,

    /// <summary>LONGBLOB/LONGTEXT.</summary>
    LongBlob = 0xfb,

    /// <summary>BLOB/TEXT.</summary>
    Blob = 0xfc,

    /// <summary>VARCHAR/VARBINARY.</summary>
    VarString = 0xfd,

    /// <summary>CHAR/BINARY.</summary>
    String = 0xfe,

    /// <summary>GEOMETRY.</summary>
    Geometry = 0xff,
}
