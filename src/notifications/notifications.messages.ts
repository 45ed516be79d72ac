// SMS texts. Placeholders in braces; operators may override any of them by config.
// Persian SMS parts hold 70 characters: keep the texts short.
export const notificationMessages = {
  fa: {
    'sms.registration_code': 'کد تأیید ثبت‌نام شما در درگاه تأمین اجتماعی: {code}\nاین کد را به کسی ندهید.',
    'sms.greeting_male': 'آقای {lastName}',
    'sms.greeting_female': 'خانم {lastName}',
    'sms.greeting_neutral': '{firstName} {lastName} گرامی',
  },
  en: {
    'sms.registration_code': 'Your Social Security portal registration code: {code}\nDo not share this code.',
    'sms.greeting_male': 'Mr {lastName}',
    'sms.greeting_female': 'Ms {lastName}',
    'sms.greeting_neutral': 'Dear {firstName} {lastName}',
  },
} as const satisfies { fa: Record<string, string>; en: Record<string, string> };
