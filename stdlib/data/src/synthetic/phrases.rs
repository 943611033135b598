//! The words the synthetic interviews are made of.

/// A policy topic: a noun phrase and the action a yes/no question asks about.
pub(crate) struct Topic {
    pub(crate) name: &'static str,
    pub(crate) action: &'static str,
}

pub(crate) const TOPICS: [Topic; 16] = [
    Topic {
        name: "taxes",
        action: "raise taxes on working families",
    },
    Topic {
        name: "the trade agreement",
        action: "sign the trade agreement",
    },
    Topic {
        name: "the troop deployment",
        action: "send more troops to the region",
    },
    Topic {
        name: "health care",
        action: "expand health coverage to every child",
    },
    Topic {
        name: "the pipeline",
        action: "approve the pipeline",
    },
    Topic {
        name: "interest rates",
        action: "ask the central bank to cut interest rates",
    },
    Topic {
        name: "the border",
        action: "close the border crossings",
    },
    Topic {
        name: "the stimulus package",
        action: "support a second stimulus package",
    },
    Topic {
        name: "the sanctions",
        action: "lift the sanctions",
    },
    Topic {
        name: "the nomination",
        action: "withdraw the nomination",
    },
    Topic {
        name: "climate policy",
        action: "rejoin the climate accord",
    },
    Topic {
        name: "the minimum wage",
        action: "raise the minimum wage",
    },
    Topic {
        name: "student debt",
        action: "cancel student debt",
    },
    Topic {
        name: "the budget deficit",
        action: "cut the budget deficit in half",
    },
    Topic {
        name: "the investigation",
        action: "release the investigation report",
    },
    Topic {
        name: "energy prices",
        action: "release oil from the strategic reserve",
    },
];

pub(crate) const SPEAKERS: [&str; 6] = [
    "Barack Obama",
    "George W. Bush",
    "Bill Clinton",
    "Joe Biden",
    "Donald Trump",
    "George H. W. Bush",
];

pub(crate) const PREAMBLES: [&str; 10] = [
    "Mr. President, thank you for taking our questions today.",
    "There has been a lot of criticism this week from both parties about {topic}.",
    "Your own advisers have said in the past that {topic} would be the defining issue of this term.",
    "Polls show that most voters are worried about {topic}.",
    "Sir, I want to follow up on what you said yesterday about {topic}.",
    "Critics say the administration has changed its position on {topic} several times.",
    "The committee released its findings on {topic} this morning.",
    "Many of your supporters have asked for clarity on {topic}.",
    "Let me ask you about {topic}, which came up again at the summit.",
    "Two of your cabinet members disagreed publicly about {topic}.",
];

pub(crate) const QUESTIONS: [&str; 5] = [
    "Will you {action}?",
    "Are you going to {action} before the end of the year?",
    "Can you tell us today whether you will {action}?",
    "Do you intend to {action}, yes or no?",
    "Is it your plan to {action}?",
];

/// Neutral sentences that pad answers to realistic lengths.
pub(crate) const FILLER: [&str; 24] = [
    "We have been working on this for a long time with members of both parties.",
    "I have said many times that the American people deserve a government that works for them.",
    "There are a lot of people in this room who have followed this debate closely.",
    "When I travel around the country, I hear from families who are working hard every day.",
    "We have to make sure that our decisions are based on the facts and not on politics.",
    "This is something that my team and I discuss every single morning.",
    "The Congress has an important role to play, and I respect that role.",
    "Our economy has created millions of jobs over the last several years.",
    "I think history will judge us by what we do in moments like this one.",
    "Now, I know that there are people who disagree with me, and that is their right.",
    "We are going to keep consulting with our allies and partners around the world.",
    "I met with the governors last week, and we had a very productive conversation.",
    "The numbers that came out this morning tell part of the story.",
    "It is important to remember where we were just a few years ago.",
    "My administration has always tried to be transparent with the public.",
    "These are difficult questions, and they deserve serious answers.",
    "I want to thank the members of the press for their work covering these issues.",
    "Small businesses are the backbone of our communities.",
    "We owe it to the next generation to get this right.",
    "Our men and women in uniform make sacrifices that we should never forget.",
    "The reports I receive every day cover a wide range of challenges.",
    "Both chambers will have to come together if we want lasting results.",
    "I have always believed that we are stronger when we work together.",
    "The experts have given us a range of options, and we are weighing them carefully.",
];
