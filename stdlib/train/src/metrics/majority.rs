/// The most frequent label; among equally frequent labels, the one that occurs first
/// (so with three different annotators, the first annotator's label). `None` when empty.
pub fn majority_vote(labels: &[usize]) -> Option<usize> {
    let mut best: Option<(usize, usize)> = None;
    for (position, &label) in labels.iter().enumerate() {
        if labels[..position].contains(&label) {
            continue;
        }
        let votes = labels[position..].iter().filter(|&&l| l == label).count();
        if best.is_none_or(|(_, most)| votes > most) {
            best = Some((label, votes));
        }
    }
    best.map(|(label, _)| label)
}

#[cfg(test)]
mod tests {
    use super::majority_vote;

    #[test]
    fn picks_the_most_frequent_label() {
        assert_eq!(majority_vote(&[4, 2, 2]), Some(2));
        assert_eq!(majority_vote(&[2, 4, 2]), Some(2));
        assert_eq!(majority_vote(&[7]), Some(7));
    }

    #[test]
    fn ties_go_to_the_earliest_label() {
        assert_eq!(majority_vote(&[3, 1, 5]), Some(3));
        assert_eq!(majority_vote(&[1, 3, 3, 1]), Some(1));
        assert_eq!(majority_vote(&[]), None);
    }
}
