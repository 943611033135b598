//! `config.json` parsing: HF field names and quirks, dispatch on `model_type`, diagnostics.

mod common;

use clarity_models::config::{ArchConfig, ConfigError, ModelConfig, PosAttType};
use common::fixture_dir;
use miette::Diagnostic;

fn deberta(text: &str) -> clarity_models::config::DebertaV2Config {
    match ModelConfig::from_json(text, "config.json").unwrap().arch {
        ArchConfig::DebertaV2(c) => c,
        other => panic!("expected DeBERTa, got {other:?}"),
    }
}

#[test]
fn fixtures_parse_with_their_values() {
    let roberta = ModelConfig::from_dir(&fixture_dir("tiny_roberta")).unwrap();
    assert_eq!(roberta.model_type(), "roberta");
    assert_eq!(roberta.hidden_size(), 32);
    assert_eq!(roberta.num_labels(), 3);
    assert_eq!(roberta.pad_token_id(), 1);
    assert_eq!(roberta.max_sequence_length(), 64);
    let deberta = ModelConfig::from_dir(&fixture_dir("tiny_deberta_v3")).unwrap();
    let ArchConfig::DebertaV2(c) = &deberta.arch else {
        panic!("expected DeBERTa")
    };
    assert_eq!(c.pos_att_type, vec![PosAttType::P2c, PosAttType::C2p]);
    assert_eq!(c.position_buckets(), Some(16));
    assert_eq!(c.max_relative_positions(), 64);
    assert!(c.share_att_key && c.norm_rel_ebd_layer_norm() && !c.position_biased_input);
    assert_eq!(c.layer_norm_eps, 1e-7);
    assert_eq!(deberta.base_model_prefix(), "deberta");
}

#[test]
fn pos_att_type_is_a_string_or_a_list() {
    let base = r#"{"model_type": "deberta-v2", "vocab_size": 10, "hidden_size": 8,
        "num_hidden_layers": 1, "num_attention_heads": 2, "intermediate_size": 16,
        "relative_attention": true, "pos_att_type": POS}"#;
    let as_string = deberta(&base.replace("POS", r#""p2c|c2p""#));
    let as_list = deberta(&base.replace("POS", r#"["p2c", "c2p"]"#));
    let as_null = deberta(&base.replace("POS", "null"));
    assert_eq!(
        as_string.pos_att_type,
        vec![PosAttType::P2c, PosAttType::C2p]
    );
    assert_eq!(as_string.pos_att_type, as_list.pos_att_type);
    assert!(as_null.pos_att_type.is_empty());
    let err =
        ModelConfig::from_json(&base.replace("POS", r#""c2p|p2p""#), "config.json").unwrap_err();
    assert!(
        err.to_string().contains("unsupported pos_att_type `p2p`"),
        "{err}"
    );
}

#[test]
fn an_unsupported_architecture_is_a_diagnostic_pointing_at_model_type() {
    let text = "{\n  \"model_type\": \"bert\",\n  \"hidden_size\": 8\n}";
    let err = ModelConfig::from_json(text, "config.json").unwrap_err();
    let ConfigError::UnsupportedArchitecture {
        model_type, span, ..
    } = &err
    else {
        panic!("unexpected {err:?}")
    };
    assert_eq!(model_type, "bert");
    assert_eq!(
        &text[span.offset()..span.offset() + span.len()],
        "\"model_type\": \"bert\""
    );
    assert_eq!(
        err.code().map(|c| c.to_string()).as_deref(),
        Some("clarity::models::config::unsupported_architecture")
    );
    assert!(err.help().unwrap().to_string().contains("deberta-v2"));
}

#[test]
fn a_missing_model_type_and_bad_json_are_diagnostics() {
    let err = ModelConfig::from_json("{\"hidden_size\": 8}", "c.json").unwrap_err();
    assert!(
        matches!(err, ConfigError::MissingModelType { .. }),
        "{err:?}"
    );
    let text = "{\n  \"model_type\": \"roberta\",\n  \"hidden_size\": \"wide\"\n}";
    let err = ModelConfig::from_json(text, "c.json").unwrap_err();
    let ConfigError::Json { span, message, .. } = &err else {
        panic!("unexpected {err:?}")
    };
    assert!(message.contains("invalid type"), "{message}");
    assert_eq!(
        text[..span.offset()].lines().count(),
        3,
        "the error points at line 3"
    );
    let err = ModelConfig::from_json("{\"model_type\": \"roberta\",", "c.json").unwrap_err();
    assert!(matches!(err, ConfigError::Json { .. }), "{err:?}");
}

#[test]
fn unsupported_features_name_the_field() {
    let cases = [
        (r#""conv_kernel_size": 3"#, "conv_kernel_size"),
        (r#""norm_rel_ebd": "batch_norm""#, "norm_rel_ebd"),
        (r#""hidden_dropout_prob": 1.5"#, "hidden_dropout_prob"),
        (r#""hidden_act": "mish""#, ""),
    ];
    for (entry, field) in cases {
        let text = format!(
            r#"{{"model_type": "deberta-v2", "vocab_size": 10, "hidden_size": 8,
            "num_hidden_layers": 1, "num_attention_heads": 2, "intermediate_size": 16, {entry}}}"#
        );
        let err = ModelConfig::from_json(&text, "config.json").unwrap_err();
        match &err {
            ConfigError::InvalidField { field: f, .. } => assert_eq!(f, field, "{entry}"),
            ConfigError::Json { message, .. } => {
                assert!(
                    field.is_empty() && message.contains("unknown variant `mish`"),
                    "{message}"
                )
            }
            other => panic!("{entry}: unexpected {other:?}"),
        }
    }
    let text = r#"{"model_type": "roberta", "vocab_size": 10, "hidden_size": 10,
        "num_hidden_layers": 1, "num_attention_heads": 3, "intermediate_size": 16,
        "max_position_embeddings": 20}"#;
    let err = ModelConfig::from_json(text, "config.json").unwrap_err();
    assert!(
        matches!(&err, ConfigError::InvalidField { field, .. } if field == "hidden_size"),
        "{err:?}"
    );
}

#[test]
fn a_config_round_trips_with_unknown_fields_and_new_labels() {
    let text = std::fs::read_to_string(fixture_dir("tiny_deberta_v3").join("config.json")).unwrap();
    let mut config = ModelConfig::from_json(&text, "config.json").unwrap();
    config.labels.set_label_names(&[
        "Clear Reply".into(),
        "Ambivalent".into(),
        "Clear Non-Reply".into(),
    ]);
    let again = ModelConfig::from_json(&config.to_json_string(), "saved.json").unwrap();
    assert_eq!(again, config);
    assert_eq!(
        again.labels.label_names().unwrap(),
        vec!["Clear Reply", "Ambivalent", "Clear Non-Reply"]
    );
    let json: serde_json::Value = serde_json::from_str(&config.to_json_string()).unwrap();
    assert_eq!(
        json["transformers_version"], "5.17.0",
        "unknown fields are kept"
    );
    assert_eq!(json["pos_att_type"], serde_json::json!(["p2c", "c2p"]));
    // Unset optional fields are absent, not null (transformers would take a null as a value).
    for unset in ["embedding_size", "attention_head_size", "cls_dropout"] {
        assert!(json.get(unset).is_none(), "{unset}: {}", json[unset]);
    }
}
