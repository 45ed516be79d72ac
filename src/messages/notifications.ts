// SMS texts. Placeholders in braces; operators may override any of them by config
// (SMS_TEMPLATES_FILE, see templates.ts). Persian SMS parts hold 70 characters and
// Kavenegar caps a message at 268: keep the texts short.
export const notificationMessages = {
  fa: {
    'sms.registration_code': 'کد تأیید ثبت‌نام شما در درگاه تأمین اجتماعی: {code}\nاین کد را به کسی ندهید.',
    'sms.greeting_male': 'آقای {lastName}',
    'sms.greeting_female': 'خانم {lastName}',
    'sms.greeting_neutral': '{firstName} {lastName} گرامی',
    'sms.verification_active': '{greeting}، خوش آمدید. حساب کاربری شما در درگاه تأمین اجتماعی فعال شد؛ با کد ملی خود وارد شوید.',
    'sms.verification_branch_visit':
      '{greeting}، ثبت‌نام شما در درگاه تأمین اجتماعی تأیید شد. برای فعال شدن حساب، لطفاً با مدارک شناسایی به نزدیک‌ترین شعبه مراجعه کنید.',
    'sms.verification_mismatch':
      '{greeting}، مشخصات ثبت‌نام شما با اطلاعات مرجع مطابقت نداشت و درخواست حذف شد. می‌توانید دوباره ثبت‌نام کنید؛ اگر از درستی مشخصات مطمئنید، لطفاً با مدارک به شعبه مراجعه کنید.',
    'notifications.sms_not_resendable': 'این پیامک در فهرست پیامک‌های ارسال‌نشده نیست و نمی‌توان آن را دوباره فرستاد.',
    'notifications.sms_secret_not_resendable':
      'این پیامک کد یا گذرواژه موقتی داشت که هرگز به دست فرد نرسید و متن آن پاک شده است؛ دوباره فرستاده نمی‌شود. فرد باید کد یا گذرواژه تازه درخواست کند.',
  },
  en: {
    'sms.registration_code': 'Your Social Security portal registration code: {code}\nDo not share this code.',
    'sms.greeting_male': 'Mr {lastName}',
    'sms.greeting_female': 'Ms {lastName}',
    'sms.greeting_neutral': 'Dear {firstName} {lastName}',
    'sms.verification_active': '{greeting}, welcome. Your Social Security portal account is active; sign in with your national code.',
    'sms.verification_branch_visit':
      '{greeting}, your Social Security portal registration is approved. To activate your account, please bring your identity documents to the nearest branch.',
    'sms.verification_mismatch':
      '{greeting}, your registration details did not match the reference records and the request was removed. You may register again; if you are sure they are right, please visit a branch with your documents.',
    'notifications.sms_not_resendable': 'This message is not in the list of undelivered messages and cannot be sent again.',
    'notifications.sms_secret_not_resendable':
      'This message held a code or temporary password that never reached the person, and its text has been erased; it is not sent again. The person should ask for a new code or password.',
  },
} as const satisfies { fa: Record<string, string>; en: Record<string, string> };
