//! TFRecord framing, the container of TensorBoard event files: each record is its length
//! (u64, little-endian), the masked CRC-32C of those 8 bytes, the data, and the masked
//! CRC-32C of the data (`tensorflow/core/lib/io/record_writer.cc`).

/// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), bitwise over a byte table.
pub(crate) fn crc32c(data: &[u8]) -> u32 {
    const TABLE: [u32; 256] = table();
    !data.iter().fold(!0u32, |crc, &b| {
        TABLE[((crc ^ u32::from(b)) & 0xff) as usize] ^ (crc >> 8)
    })
}

const fn table() -> [u32; 256] {
    let mut table = [0u32; 256];
    let mut i = 0;
    while i < 256 {
        let mut crc = i as u32;
        let mut bit = 0;
        while bit < 8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0x82F6_3B78
            } else {
                crc >> 1
            };
            bit += 1;
        }
        table[i] = crc;
        i += 1;
    }
    table
}

/// The CRC as TFRecord stores it: rotated right by 15 bits plus a constant.
pub(crate) fn masked_crc32c(data: &[u8]) -> u32 {
    crc32c(data).rotate_right(15).wrapping_add(0xa282_ead8)
}

/// One framed record.
pub(crate) fn frame(data: &[u8]) -> Vec<u8> {
    let length = (data.len() as u64).to_le_bytes();
    let mut out = Vec::with_capacity(data.len() + 16);
    out.extend_from_slice(&length);
    out.extend_from_slice(&masked_crc32c(&length).to_le_bytes());
    out.extend_from_slice(data);
    out.extend_from_slice(&masked_crc32c(data).to_le_bytes());
    out
}

/// The records of a file, every CRC checked; `Err` names the first bad record (a record cut
/// short at the end, as a reader of a file being written may see, is one).
pub(crate) fn unframe(mut bytes: &[u8]) -> Result<Vec<&[u8]>, String> {
    let mut records = Vec::new();
    while !bytes.is_empty() {
        let n = records.len();
        let (header, rest) = bytes
            .split_at_checked(12)
            .ok_or_else(|| format!("record {n}: header cut short"))?;
        let (length, crc) = header.split_at(8);
        if masked_crc32c(length).to_le_bytes() != crc {
            return Err(format!("record {n}: length CRC mismatch"));
        }
        let length = u64::from_le_bytes(length.try_into().expect("8 bytes"));
        let length = usize::try_from(length).map_err(|_| format!("record {n}: too long"))?;
        let (data, rest) = rest
            .split_at_checked(length)
            .ok_or_else(|| format!("record {n}: data cut short"))?;
        let (crc, rest) = rest
            .split_at_checked(4)
            .ok_or_else(|| format!("record {n}: data CRC missing"))?;
        if masked_crc32c(data).to_le_bytes() != crc {
            return Err(format!("record {n}: data CRC mismatch"));
        }
        records.push(data);
        bytes = rest;
    }
    Ok(records)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc32c_matches_the_standard_check_value() {
        // The CRC-32C catalogue's check value, and RFC 3720's 32 zero bytes.
        assert_eq!(crc32c(b"123456789"), 0xE306_9283);
        assert_eq!(crc32c(&[0u8; 32]), 0x8A91_36AA);
    }

    #[test]
    fn frames_round_trip_and_corruption_is_caught() {
        let mut bytes = frame(b"hello");
        bytes.extend(frame(b""));
        assert_eq!(bytes.len(), 5 + 16 + 16);
        assert_eq!(unframe(&bytes).unwrap(), vec![&b"hello"[..], &b""[..]]);
        bytes[13] ^= 1;
        assert_eq!(unframe(&bytes).unwrap_err(), "record 0: data CRC mismatch");
        assert!(unframe(&frame(b"hello")[..10]).is_err());
    }
}
